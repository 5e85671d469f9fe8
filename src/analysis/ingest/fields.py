"""The metadata vocabulary: which column names and front-matter keys mean what."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

CORE_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "article_text", "full_text", "maintext"),
    "title": ("title", "headline"),
    "outlet": ("outlet", "source", "publication", "publisher", "site_name", "sitename"),
    "published": ("published", "date", "published_at", "publication_date", "pubdate", "date_published",
                  "published_time", "datetime"),
    "url": ("url", "link", "source_url", "canonical_url"),
    "author": ("author", "authors", "byline"),
    "language": ("language", "lang"),
    "id": ("id", "doc_id", "article_id"),
}
"""Each core field with the column names that can carry it, most preferred first."""

METADATA_COLUMNS: tuple[str, ...] = (
    "country", "outlet_type", "category", "section", "subsection", "topic", "tags", "keywords", "region",
    "genre", "desk", "edition", "page",
)
"""Further columns kept as metadata on each document (``Document.extra`` plus the two fixed ones)."""

SILENT_COLUMNS: tuple[str, ...] = ("file", "notes", "note", "comment", "comments")
"""Columns that are bookkeeping for people, ignored without a warning."""

RESERVED: frozenset[str] = frozenset({
    "doc_id", "words", "path", "sha256", "removed_lines", "near_duplicate_of", "near_duplicate_similarity",
    "segments_non_english", "languages", "encoding", "extra", "metadata_origin",
})
"""Names the loader computes itself; an input column by these names is ignored."""

_ALIAS_TO_FIELD = {alias: name for name, aliases in CORE_ALIASES.items() for alias in aliases}


def normalise_key(key: object) -> str:
    """Lower-case a column name and turn spaces and dashes into underscores."""
    return re.sub(r"[\s\-]+", "_", str(key).strip().lower().lstrip("\ufeff"))


def scalar_text(value: object) -> str | None:
    """A metadata value as stripped text, or None for empty and nested values.

    Lists of scalars (e.g. several authors) are joined with ", ".
    """
    if value is None or isinstance(value, dict):
        return None
    if isinstance(value, (list, tuple)):
        parts = [scalar_text(v) for v in value if not isinstance(v, (list, tuple, dict))]
        joined = ", ".join(p for p in parts if p)
        return joined or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value).strip()
    if not text or text.lower() in ("nan", "none", "null"):
        return None
    return text


@dataclass(frozen=True)
class FieldMap:
    """How the columns of one input map onto metadata."""

    core: dict[str, list[str]]
    extra: list[str]
    ignored: list[str]
    silent: list[str]
    names: dict[str, str] = field(default_factory=dict)
    """Metadata name of an extra column when it is not the column's own (``sourcecountry`` → ``country``)."""


def map_columns(columns: Iterable[object], *, keep: Iterable[str] = ()) -> FieldMap:
    """Sort the columns of an input into core fields, kept metadata and ignored columns.

    Args:
        columns: The column names (or JSON keys) as found.
        keep: Further column names to keep as metadata.

    Returns:
        For each core field the matching columns in preference order, the metadata
        columns to keep, the columns ignored (to warn about) and those ignored silently.
    """
    keep_set = {normalise_key(k) for k in keep} | set(METADATA_COLUMNS)
    core: dict[str, list[str]] = {}
    extra: list[str] = []
    ignored: list[str] = []
    silent: list[str] = []
    for col in columns:
        if col is None:
            continue
        key = normalise_key(col)
        if not key:
            ignored.append(str(col))
        elif key in _ALIAS_TO_FIELD:
            core.setdefault(_ALIAS_TO_FIELD[key], []).append(str(col))
        elif key in keep_set and key not in RESERVED:
            extra.append(str(col))
        elif key in SILENT_COLUMNS:
            silent.append(str(col))
        else:
            ignored.append(str(col))
    for name, cols in core.items():
        order = {a: i for i, a in enumerate(CORE_ALIASES[name])}
        cols.sort(key=lambda c: order[normalise_key(c)])
    return FieldMap(core=core, extra=extra, ignored=ignored, silent=silent)


def pick_fields(row: Mapping[str, object], fmap: FieldMap, *, used: dict[str, str] | None = None,
                ) -> tuple[dict[str, str], dict[str, str]]:
    """Metadata of one row: core fields (first non-empty alias wins) and kept extras.

    Args:
        row: The row, by column name.
        fmap: How its columns map onto metadata.
        used: When given, filled with the column each core field was taken from.
    """
    core: dict[str, str] = {}
    for name, cols in fmap.core.items():
        if name == "text":
            continue
        for col in cols:
            value = scalar_text(row.get(col))
            if value:
                core[name] = value
                if used is not None:
                    used[name] = col
                break
    extra = {}
    for col in fmap.extra:
        value = scalar_text(row.get(col))
        if value:
            name = fmap.names.get(col) or normalise_key(col)
            extra[name] = value
            if used is not None and col in fmap.names:
                used[name] = col
    return core, extra


@dataclass
class Record:
    """One article as read from its input, before cleaning.

    Attributes:
        path: Where it came from, relative to the corpus folder; ``file#row`` for table rows.
        text: The body text (already converted from Markdown or HTML).
        meta: Core metadata found in the input (title, outlet, published, url, author, language, id).
        extra: Further metadata columns kept as they are.
        notes: Alterations made while reading (e.g. "decoded as cp1252"), for ``Corpus.rejected``.
        warnings: Things worth logging that changed nothing.
        sha256: Hash of the raw bytes the record came from.
        origin: Where the metadata came from ("front matter", "html", "table").
        kind: "plain" for scraped text the furniture cleaner should see in full, "body" for
            text that is already an article body (Markdown, HTML extraction, table cells).
        row: 1-based record number in a table file, else None.
        fmt: Key of the export format the record was read as (see :mod:`analysis.ingest.formats`).
        columns: For each field, the input column it was taken from (``outlet`` → ``media_name``).
        changes: Clean-ups made to the text field (e.g. "truncation marker removed").
    """

    path: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sha256: str = ""
    origin: str = "text"
    kind: str = "plain"
    row: int | None = None
    fmt: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Skipped:
    """An input (a file or one row of a table) that was rejected or altered, with the reason."""

    path: str
    reason: str
