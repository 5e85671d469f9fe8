"""The multilingual stage of a run: the tables of the English extractors, for zh/ja/ko/fr/de documents.

:func:`analysis.tables.build_tables` calls :func:`annotate_languages` on each chunk (so that
sentence indices agree everywhere), :func:`extract` for the rows, and :func:`finish` once on
the concatenated tables.
"""

from __future__ import annotations

import pandas as pd

from analysis.multilingual import actors, claims, dates, quotes
from analysis.multilingual.lexicon import SUPPORTED, language_key
from analysis.multilingual.segment import annotate_languages
from analysis.timeline import EVENT_COLUMNS, parse_published

__all__ = ["annotate_languages", "extract", "extract_events", "finish", "language_notes"]

ENGLISH_ONLY = "tone (VADER) and distinctive terms (log-odds)"


def _supported(docs: pd.DataFrame) -> pd.DataFrame:
    if docs.empty or "language" not in docs.columns:
        return docs.iloc[0:0]
    keep = [language_key(lang if isinstance(lang, str) else "", str(text or "")) is not None
            for lang, text in zip(docs["language"], docs["text"], strict=True)]
    return docs[keep]


def _relation(value: str, published) -> str:
    if published is None:
        return ""
    pub = published.isoformat()[: len(value)]
    return "same" if value == pub else ("before" if value < pub else "after")


def extract_events(docs: pd.DataFrame, ann) -> pd.DataFrame:
    """Dated events of the supported non-English documents (schema of analysis.timeline)."""
    rows = []
    docs = _supported(docs)
    sents = dict(tuple(ann.sentences.groupby("doc_id"))) if len(ann.sentences) else {}
    for row in docs.itertuples(index=False):
        code = language_key(row.language, str(row.text or ""))
        published = parse_published(getattr(row, "published", None))
        sd = sents.get(row.doc_id)
        if sd is None:
            continue
        for si, sentence in zip(sd["sentence_index"].astype(int), sd["text"], strict=True):
            for d in dates.find_dates(str(sentence), code, published):
                if published is None and not d.explicit_year:
                    continue
                rows.append((row.doc_id, d.date, d.precision, si, str(sentence), d.expression,
                             _relation(d.date, published)))
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def extract(docs: pd.DataFrame, ann) -> dict[str, pd.DataFrame]:
    """Mentions, actors, quotes, claims, other figures and events of the supported non-English documents.

    Args:
        docs: A chunk of the documents frame (doc_id, text, language, published).
        ann: Its annotations, after :func:`annotate_languages`.

    Returns:
        Tables by name, each in the schema of its English counterpart (``quotes`` adds ``language``).
    """
    sub = _supported(docs)
    mentions = actors.actor_mentions(sub, ann)
    claim_df, figures = claims.claims_and_figures(sub, ann)
    return {"mentions": mentions, "actors": actors.actor_table(mentions), "quotes": quotes.extract_quotes(sub, ann),
            "claims": claim_df, "other_figures": figures, "events": extract_events(sub, ann)}


def language_notes(docs: pd.DataFrame) -> pd.DataFrame:
    """One sentence per source with documents read outside the English-only analyses.

    Returns:
        Columns ``source, languages, documents, note``; sources written only in English have no row.
    """
    cols = ["source", "languages", "documents", "note"]
    if docs.empty or "language" not in docs.columns:
        return pd.DataFrame(columns=cols)
    from analysis.annotate import is_english

    group = docs["group"] if "group" in docs.columns else docs.get("source", docs["doc_id"])
    rows = []
    for source, sub in docs.assign(_g=group).groupby("_g", sort=True):
        other = sub[[not is_english(lang if isinstance(lang, str) else None) for lang in sub["language"]]]
        if other.empty:
            continue
        codes = [language_key(lang, str(t or "")) for lang, t in zip(other["language"], other["text"], strict=True)]
        read = sum(c is not None for c in codes)
        langs = ", ".join(sorted({str(x) for x in other["language"]}))
        n = len(other)
        if read == n:
            note = (f"{n} of this source's {len(sub)} documents are in {langs}: actors, quotes, claims and dates "
                    f"are read in that language, but {ENGLISH_ONLY} cover English documents only.")
        else:
            note = (f"{n} of this source's {len(sub)} documents are in {langs}; {n - read} of them are in a "
                    f"language without rules ({', '.join(SUPPORTED)} have rules) and are left out of every "
                    f"analysis, and {ENGLISH_ONLY} cover English documents only.")
        rows.append((source, langs, n, note))
    return pd.DataFrame(rows, columns=cols)


def finish(tables: dict[str, pd.DataFrame], docs: pd.DataFrame) -> None:
    """After concatenation: give English quotes their language, and add ``language_notes`` (in place)."""
    q = tables.get("quotes")
    if q is not None and len(q.columns):
        lang = docs.set_index("doc_id")["language"] if "language" in docs.columns else pd.Series(dtype=object)
        base = q["doc_id"].map(lang).fillna("en").astype(str)
        tables["quotes"] = q.assign(language=q["language"].where(q["language"].notna(), base)
                                    if "language" in q.columns else base)
    tables["language_notes"] = language_notes(docs)
