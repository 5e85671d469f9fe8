"""Thin data: the sentence a report shows instead of a chart or table that has nothing to show.

Thin data is a normal case. A chart factory given an empty table (or one too small to
compare, such as a similarity matrix of one source) returns a :class:`ThinData`
instead of a chart; :func:`analysis.display.show_chart` and ``show_table`` then show
its one plain sentence in place of the chart and its caption.

:func:`reason` writes that sentence from the run's documents: what is missing and
why, for example "Distinctive terms need at least two sources with English text;
this run has one." Notebooks pass it to the factory as ``empty=``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class ThinData:
    """What a report section shows instead of a chart or a table when its data is too thin."""

    sentence: str

    def _repr_html_(self) -> str:
        return f"<p class='analysis-thin'>{html.escape(self.sentence)}</p>"

    def __str__(self) -> str:
        return self.sentence


def is_thin(obj: object) -> bool:
    """Whether ``obj`` is a thin-data sentence rather than a chart or a table."""
    return isinstance(obj, ThinData)


def or_sentence(df: pd.DataFrame, sentence: str) -> pd.DataFrame | ThinData:
    """``df`` itself when it has rows, else the sentence to show instead of an empty table."""
    return df if len(df) else ThinData(sentence)


@dataclass(frozen=True)
class Section:
    """How to say that one report section has no data."""

    label: str
    """What the section shows, as the subject of a sentence ("Distinctive terms")."""
    none: str
    """What was not found, as a noun phrase ("no direct quote")."""
    needs: int = 1
    """Sources with English text the section needs to say anything."""
    english_only: bool = True
    plural: bool = True
    """Whether ``label`` takes a plural verb ("Quotes are", "Tone is")."""

    @property
    def are(self) -> str:
        return "are" if self.plural else "is"

    @property
    def need(self) -> str:
        return "need" if self.plural else "needs"


SECTIONS: dict[str, Section] = {
    "terms": Section("Distinctive terms", "no term used often enough to set one source apart", 2),
    "top_terms": Section("Frequent terms", "no content word"),
    "similarity": Section("Similarity between sources", "no shared vocabulary", 2, plural=False),
    "tone": Section("Tone", "no sentence that could be scored", plural=False),
    "quotes": Section("Quotes", "no direct quote"),
    "share_of_voice": Section("Share of voice", "no direct quote", plural=False),
    "claims": Section("Tariff-rate statements", "no tariff rate"),
    "conflicts": Section("Disagreements between sources", "no figure or date stated differently by two sources",
                         2),
    "agreements": Section("Agreements between sources", "no figure stated alike by two sources", 2),
    "events": Section("The timeline of events", "no dated event", plural=False),
    "single_source_events": Section("Events only one source reports", "no event carried by one source alone", 2),
    "blind_spots": Section("Blind spots", "no event that one source omits while two others carry it", 3),
    "topics": Section("Aspects of the story", "no sentence with an aspect cue"),
    "frames": Section("Policy frames", "no sentence with a frame cue"),
    "actors": Section("Actor mentions", "no named actor"),
    "other_figures": Section("Other figures", "no figure other than a tariff rate"),
    "publication": Section("The publication timeline", "no publication date", english_only=False, plural=False),
}
"""Every report section that can be thin, by name."""

_NUMBERS = ["none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _count(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else f"{n:,}"


def _plural(n: int, word: str) -> str:
    return f"{_count(n) if n else 'no'} {word}{'' if n == 1 else 's'}"


def english_groups(docs: pd.DataFrame) -> list[str]:
    """The groups (sources) with at least one English document, sorted."""
    from analysis.annotate import is_english

    if docs.empty:
        return []
    mask = docs["language"].map(lambda x: is_english(x if isinstance(x, str) else None))
    return sorted(map(str, docs.loc[mask, "group"].unique()))


READ_IN_OWN_LANGUAGE = frozenset({"quotes", "share_of_voice", "claims", "conflicts", "agreements", "events",
                                  "single_source_events", "blind_spots", "actors", "other_figures"})
"""Sections whose extractors also read zh, ja, ko, fr and de documents (analysis.multilingual)."""
READABLE_TEXT = "text in English, Chinese, Japanese, Korean, French or German"


def readable_groups(docs: pd.DataFrame) -> list[str]:
    """The groups with at least one document in English or in a language of analysis.multilingual."""
    from analysis.multilingual import language_key

    if docs.empty:
        return []
    text = docs["text"] if "text" in docs.columns else pd.Series("", index=docs.index)
    mask = [language_key(lang if isinstance(lang, str) else "", str(t or "")) is not None
            for lang, t in zip(docs["language"], text, strict=True)]
    return sorted(set(english_groups(docs)) | set(map(str, docs.loc[mask, "group"].unique())))


def languages_of(docs: pd.DataFrame, group: str) -> list[str]:
    """The languages of one group's documents, most documents first."""
    d = docs[docs["group"] == group]
    return [str(x) for x in d["language"].fillna("und").value_counts(sort=True).index]


def reason(t, section: str, *, source: str | None = None) -> str:
    """The sentence saying why a section of the run has nothing to show.

    Args:
        t: The run's tables (anything with a ``documents`` frame holding ``group`` and ``language``).
        section: A key of :data:`SECTIONS`.
        source: The profiled source, for a profile's sections; None for sections across sources.

    Raises:
        KeyError: if ``section`` is unknown.
    """
    s = SECTIONS[section]
    docs = t.documents
    groups = sorted(map(str, docs["group"].unique())) if len(docs) else []
    own = section in READ_IN_OWN_LANGUAGE
    english = readable_groups(docs) if own else english_groups(docs)
    kind = READABLE_TEXT if own else "English text"
    if section == "publication":
        return "No document has a publication date, so there is no publication timeline."
    if source is not None:
        if s.english_only and source not in english:
            langs = ", ".join(languages_of(docs, source)) or "und"
            return (f"{source} has no {kind} (its documents are in {langs}); "
                    f"{s.label[0].lower() + s.label[1:]} {s.are} measured on {kind}, so none are shown for it.")
        if s.needs >= 2 and len(english) < s.needs:
            return (f"{s.label} {s.need} at least {_count(s.needs)} sources with {kind}; "
                    f"this run has {_count(len(english))}.")
        return f"{s.label}: {s.none} was found in {source}'s {'text' if own else kind}."
    if not groups:
        return f"{s.label}: this run has no document."
    if s.english_only and not english:
        return (f"{s.label} {s.are} measured on {kind}, and none of the {_plural(len(groups), 'source')} "
                f"in this run has any.")
    if len(english) < s.needs:
        others = len(groups) - len(english)
        extra = f" ({_plural(others, 'other source')} without {kind})" if others else ""
        return (f"{s.label} {s.need} at least {_count(s.needs)} sources with {kind}; "
                f"this run has {_count(len(english))}{extra}.")
    text = "text" if own else "English text"
    scope = f"the {text} of the {_plural(len(english), 'source')}" if s.english_only else "the documents"
    return f"{s.label}: {s.none} was found in {scope}."


def say(sentence: str) -> None:
    """Display one thin-data sentence in a notebook (where a section has nothing else to show)."""
    from IPython.display import display

    display(ThinData(sentence))
