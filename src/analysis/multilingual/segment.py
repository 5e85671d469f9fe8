"""Sentences and words per language, and the re-annotation of non-English documents with them.

Segmenters (chosen by measured boundary accuracy and install size; see the README):

- Chinese (zh-Hans, zh-Hant): ``jieba`` (its dictionary ships in the wheel);
- Japanese: ``sudachipy`` with ``sudachidict-core``, split mode A (short units, whose boundaries fall on
  every name and tariff word of the fixtures);
- Korean: ``kiwipiepy`` (morphemes with offsets);
- French: ``fr_core_news_sm`` (sentences, tokens, lemmas and entities);
- German: spaCy's tokenizer with the rule-based sentencizer.

Sentences of CJK and Korean text end at the lexicon's ``sentence_end_re`` (。！？, and Korean
endings such as ``다.``); no language splits a sentence inside a quotation.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from analysis.multilingual.lexicon import LanguageRules, language_key, rules_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Token:
    """A word with its character offset."""

    start: int
    text: str
    lemma: str = ""
    pos: str = ""


@dataclass
class Segmented:
    """Sentences (character spans), tokens and named entities of one text."""

    sentences: list[tuple[int, int]]
    tokens: list[Token] = field(default_factory=list)
    entities: list[tuple[int, int, str, str]] = field(default_factory=list)


def quote_spans(text: str, rules: LanguageRules, *, max_chars: int = 1500) -> list[tuple[int, int, str, str]]:
    """Quotations marked with the language's quotation marks, outermost only.

    Returns:
        ``(start, end, open_mark, close_mark)`` with start/end the offsets of the marks
        (``text[start]`` is the opening mark, ``text[end - 1]`` the closing one).
    """
    opens = {o: c for o, c in rules.quote_marks}
    out = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in opens:
            close = opens[ch]
            if ch == close and ch in "'‘’" and i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum():
                i += 1  # an apostrophe inside a word
                continue
            j = text.find(close, i + 1, min(n, i + 1 + max_chars))
            para = text.find("\n\n", i + 1, j if j > 0 else None)
            if j > i + 1 and para < 0:
                out.append((i, j + 1, ch, close))
                i = j + 1
                continue
        i += 1
    return out


def _inside(pos: int, spans: list[tuple[int, int, str, str]]) -> bool:
    return any(s < pos < e - 1 for s, e, _, _ in spans)


def _regex_sentences(text: str, rules: LanguageRules, protected) -> list[tuple[int, int]]:
    out = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for m in rules.sentence_end.finditer(line.group()):
            end = line.start() + m.end()
            if _inside(end - 1, protected) or end >= line.end():
                continue
            out.append((start, end))
            start = end
        out.append((start, line.end()))
    return _strip(text, out)


def _strip(text: str, spans) -> list[tuple[int, int]]:
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _merge_protected(spans: list[tuple[int, int]], protected) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and _inside(s - 1, protected) and any(qs < s < qe for qs, qe, _, _ in protected):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _merge_continuations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a sentence that starts with a comma or a lower-case word to the one before ("», a déclaré")."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        same_line = out and "\n" not in text[out[-1][1]:s]
        if same_line and re.match(r"[,;:)\]»”“]|[a-zà-ÿ]", text[s]):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


@lru_cache(maxsize=1)
def _sudachi():
    from sudachipy import dictionary

    d = dictionary.Dictionary(dict="core")
    return d.tokenizer() if hasattr(d, "tokenizer") else d.create()


@lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


@lru_cache(maxsize=4)
def _spacy(name: str):
    import spacy

    if name.startswith("blank:") or len(name) == 2:
        nlp = spacy.blank(name.removeprefix("blank:"))
        nlp.add_pipe("sentencizer")
        return nlp
    return spacy.load(name)  # the parser gives French its sentences


def _word_tokens(text: str, rules: LanguageRules) -> list[Token]:
    seg = rules.segmenter
    if seg == "jieba":
        return [Token(s, w) for w, s, _ in _jieba().tokenize(text) if w.strip()]
    if seg == "sudachi":
        from sudachipy import tokenizer

        out = []
        for m in _sudachi().tokenize(text, tokenizer.Tokenizer.SplitMode.A):
            if m.surface().strip():
                out.append(Token(m.begin(), m.surface(), m.dictionary_form(), m.part_of_speech()[0]))
        return out
    if seg == "kiwi":
        return [Token(t.start, text[t.start:t.start + t.len], t.form, t.tag) for t in _kiwi().tokenize(text)]
    return []


def segment(text: str, code: str) -> Segmented:
    """Sentences, words and (French) entities of a text in a supported language.

    Args:
        text: The document text.
        code: A lexicon language code (``"ja"``, ``"zh-Hant"`` ...).
    """
    rules = rules_for(code)
    protected = quote_spans(text, rules)
    seg = rules.segmenter
    if seg.startswith("spacy:"):
        name = seg.removeprefix("spacy:")
        nlp = _spacy(name)
        doc = nlp(text)
        sents = [(s.start_char, s.end_char) for s in doc.sents]
        # Line breaks always end a sentence; a quotation never does.
        split = []
        for s, e in sents:
            cut = s
            for m in re.finditer(r"\n+", text[s:e]):
                split.append((cut, s + m.start()))
                cut = s + m.end()
            split.append((cut, e))
        sents = _merge_continuations(text, _merge_protected(_strip(text, split), protected))
        tokens = [Token(t.idx, t.text, t.lemma_ or t.text, t.pos_) for t in doc if not t.is_space]
        ents = [(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents]
        return Segmented(sents, tokens, ents)
    return Segmented(_regex_sentences(text, rules, protected), _word_tokens(text, rules))


def sentence_index(starts: list[int], offset: int) -> int:
    """Index of the sentence holding a character offset, given sorted sentence starts."""
    import bisect

    return max(0, bisect.bisect_right(starts, offset) - 1)


def annotate_languages(docs: pd.DataFrame, ann):
    """Replace the language-neutral annotation of supported non-English documents with their own.

    Sentences, tokens and entities of documents whose language the lexicon supports are
    recomputed with that language's segmenter; English and unsupported documents keep
    theirs. Returns a new :class:`analysis.annotate.Annotations` (the input is not modified).
    """
    from analysis.annotate import Annotations

    if docs.empty or "language" not in docs.columns:
        return ann
    rows_s, rows_t, rows_e, ids = [], [], [], []
    for doc_id, lang, text in docs[["doc_id", "language", "text"]].itertuples(index=False):
        text = str(text or "")
        code = language_key(lang if isinstance(lang, str) else "", text)
        if code is None:
            continue
        ids.append(doc_id)
        sg = segment(text, code)
        starts = [s for s, _ in sg.sentences] or [0]
        for k, (s, e) in enumerate(sg.sentences):
            rows_s.append((doc_id, k, s, e, text[s:e]))
        for i, t in enumerate(sg.tokens):
            rows_t.append((doc_id, sentence_index(starts, t.start), i, t.start, t.text, t.lemma or t.text, t.pos,
                           False, t.text.isalpha(), ""))
        for s, e, label, etext in sg.entities:
            rows_e.append((doc_id, sentence_index(starts, s), s, e, label, etext))
    if not ids:
        return ann

    def swap(old: pd.DataFrame, rows: list[tuple], sort: list[str]) -> pd.DataFrame:
        new = pd.DataFrame(rows, columns=list(old.columns)) if len(old.columns) else pd.DataFrame(rows)
        if new.empty:
            return old[~old["doc_id"].isin(ids)].reset_index(drop=True)
        new = new.astype({c: old[c].dtype for c in old.columns if c in new.columns and len(old)}, errors="ignore")
        kept = old[~old["doc_id"].isin(ids)]
        both = pd.concat([kept, new], ignore_index=True) if len(kept) else new
        return both.sort_values(sort, kind="stable").reset_index(drop=True)

    return Annotations(
        sentences=swap(ann.sentences, rows_s, ["doc_id", "sentence_index", "start"]),
        tokens=swap(ann.tokens, rows_t, ["doc_id", "sentence_index", "start", "i"]),
        entities=swap(ann.entities, rows_e, ["doc_id", "sentence_index", "start"]),
        model=ann.model, annotated=ann.annotated, cached=ann.cached)
