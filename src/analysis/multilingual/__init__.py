"""Reading sources in their own language: Chinese (zh-Hans, zh-Hant), Japanese, Korean, French, German.

Every rule that differs between languages lives in ``lexicons/multilingual.yaml`` (keyed by
language code) and every name in ``lexicons/actors_i18n.yaml``; the modules here are the
engines those files drive, in the order data flows:

- :mod:`.lexicon` loads and compiles the per-language rules;
- :mod:`.segment` splits sentences and words (jieba, SudachiPy, Kiwi, spaCy) and re-annotates
  non-English documents with them;
- :mod:`.actors`, :mod:`.quotes`, :mod:`.claims`, :mod:`.dates` extract rows in exactly the
  column schemas of the English extractors (``analysis.actors``, ``analysis.quotes``,
  ``analysis.claims``, ``analysis.timeline``), plus a ``language`` column on quotes;
- :mod:`.pipeline` runs them for the documents of a chunk (the one hook ``analysis.tables`` calls);
- :mod:`.evaluate` scores them on the labelled fixtures in ``tests/fixtures/multilingual``.
"""

from analysis.multilingual.lexicon import SUPPORTED, language_key, rules_for
from analysis.multilingual.pipeline import annotate_languages, extract, finish, language_notes

__all__ = ["SUPPORTED", "annotate_languages", "extract", "finish", "language_key", "language_notes", "rules_for"]
