"""Load a corpus of news articles into validated, cleaned documents.

A corpus is a folder of article files (``.txt``, ``.md`` with optional YAML front
matter, ``.html``; ``.csv``, ``.jsonl`` and ``.json`` files with one or more articles)
with an optional ``manifest.csv`` of metadata per file, or a single ``.csv``,
``.jsonl`` or ``.json`` file. Tables and JSON are recognised by their fields as the
exports of Media Cloud, news-please, trafilatura, NewsAPI or GDELT, or the project's
own columns (:mod:`analysis.ingest.formats`); ``Corpus.inputs`` says, for every
input, how it was read. Inputs are opened read-only and never modified; symbolic links are never
followed. Every input that is rejected, or used only after a change (a guessed
encoding, a dropped metadata value, a near-duplicate mark), is listed in
``Corpus.rejected`` with its path and the reason.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.clean import clean_text
from analysis.export import write_safe_csv
from analysis.ingest import dedup
from analysis.ingest.dates import DateOrder, DateProblem, detect_order, parse_date
from analysis.ingest.encoding import decode_bytes
from analysis.ingest.fields import Record, Skipped, map_columns, normalise_key, pick_fields
from analysis.ingest.formats import PROJECT, normalise_outlet, registered_domain
from analysis.ingest.html import declared_charset, extract_html
from analysis.ingest.markdown import markdown_to_text, split_front_matter
from analysis.ingest.safe_io import InputRejected, check_entry, read_bytes
from analysis.ingest.tables import TABLE_SUFFIXES, MetadataOnly, ReadInfo, iter_csv, iter_json, iter_jsonl
from analysis.language import language_profile

log = logging.getLogger(__name__)

__all__ = [
    "Corpus", "CorpusError", "Document", "InputSummary", "MetadataOnlyExport", "Rejection", "check_corpus",
    "corpus_hash", "count_words", "decode_bytes", "language_mix", "load_corpus", "read_outlet_map",
    "write_rejected",
]

TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + TABLE_SUFFIXES
MANIFEST_COLUMNS = ("file", "outlet", "published", "url", "author", "language", "country", "outlet_type")
NEAR_DUPLICATE_THRESHOLD = 0.8
"""Estimated Jaccard similarity of word 5-gram sets above which two documents are near-duplicates."""

_LANGUAGE_NAMES = {
    "english": "en", "chinese": "zh", "mandarin": "zh", "japanese": "ja", "korean": "ko", "french": "fr",
    "german": "de", "spanish": "es", "russian": "ru", "arabic": "ar", "portuguese": "pt", "italian": "it",
    "dutch": "nl", "turkish": "tr", "hindi": "hi", "vietnamese": "vi", "indonesian": "id", "polish": "pl",
}


class CorpusError(ValueError):
    """The corpus as a whole cannot be used (missing folder, unsupported file)."""


class MetadataOnlyExport(CorpusError):
    """The corpus is an export of links and metadata without article texts (GDELT, Media Cloud)."""


@dataclass
class Document:
    """One cleaned article with its metadata."""

    doc_id: str
    source: str
    text: str
    path: str
    published: date | None = None
    language: str = "und"
    title: str | None = None
    author: str | None = None
    url: str | None = None
    country: str | None = None
    outlet_type: str | None = None
    sha256: str = ""
    metadata_origin: dict[str, str] = field(default_factory=dict)
    removed_lines: int = 0
    extra: dict[str, str] = field(default_factory=dict)
    """Further metadata columns (e.g. ``category``), exposed as columns by ``Corpus.to_frame``."""
    near_duplicate_of: str | None = None
    """doc_id of the earliest near-identical document (e.g. the same wire story), if any."""
    near_duplicate_similarity: float | None = None
    segments_non_english: int = 0
    """Sentence-like segments in a language other than English."""
    languages: str = ""
    """Languages of the segments, most frequent first, e.g. ``"en,zh"``."""

    @property
    def words(self) -> int:
        """Number of word tokens in the cleaned body (whitespace-separated; CJK characters count one each)."""
        return count_words(self.text)


@dataclass(frozen=True)
class Rejection:
    """An input that was not used, or was used only in part or after a change."""

    path: str
    reason: str


SUMMARY_FIELDS = ("outlet", "published", "title", "url", "language", "author", "country", "text")
"""Fields named in an input's summary line, in this order."""


@dataclass
class InputSummary:
    """How one input (a table file, or a group of article files of one kind) was read.

    Attributes:
        path: The file, or the folder and file type of a group (``news/*.json``).
        format: What it was read as ("a Media Cloud Search CSV").
        unit: "rows" or "files".
        read: Records read (rows or files with text).
        documents: Documents kept from them.
        fields: For each field, where it was taken from ("media_name").
        details: Notable facts about the file (separator, encoding, date order).
        warnings: Problems affecting the whole input (no date could be read).
        refused: Why the whole input was not used, if it was not.
    """

    path: str
    format: str
    unit: str = "rows"
    read: int = 0
    documents: int = 0
    fields: dict[str, str] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refused: str | None = None

    @property
    def line(self) -> str:
        """The summary line, e.g. ``read 15 rows from mc.csv as a Media Cloud Search CSV: outlet ← media_name, ...``."""
        if self.refused:
            return f"not read {self.path}: {self.refused}"
        head = f"read {self.read} {self.unit[:-1] if self.read == 1 else self.unit} from {self.path} as {self.format}"
        if self.details:
            head += f" ({', '.join(self.details)})"
        mapping = ", ".join(f"{k} ← {self.fields[k]}" for k in SUMMARY_FIELDS if k in self.fields)
        return f"{head}: {mapping}" if mapping else head

    def as_dict(self) -> dict:
        """A JSON-ready form, with the line."""
        return {**asdict(self), "line": self.line}


FRAME_COLUMNS = (
    "doc_id", "source", "published", "language", "words", "path", "text", "title", "author", "url",
    "country", "outlet_type", "sha256", "removed_lines", "near_duplicate_of", "near_duplicate_similarity",
    "segments_non_english", "languages",
)
"""Fixed columns of ``Corpus.to_frame``; metadata columns from ``Document.extra`` follow, sorted."""


@dataclass
class Corpus:
    """The documents of a corpus plus everything that was rejected or altered."""

    root: Path
    documents: list[Document]
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    inputs: list[InputSummary] = field(default_factory=list)
    """How each input was read (format and field mapping), one entry per file or group of files."""

    def summary_lines(self) -> list[str]:
        """One line per input saying how it was read, each followed by its warnings."""
        return [line for s in self.inputs for line in (s.line, *(f"  warning: {w}" for w in s.warnings))]

    def inputs_frame(self) -> pd.DataFrame:
        """:attr:`inputs` as a table: ``path, format, rows, documents, read, warnings``."""
        return pd.DataFrame([(s.path, s.format, s.read, s.documents, s.line, "; ".join(s.warnings))
                             for s in self.inputs],
                            columns=["path", "format", "rows", "documents", "read", "warnings"])

    def to_frame(self) -> pd.DataFrame:
        """One row per document, sorted by id, in the shape of ``documents.csv``.

        Columns are :data:`FRAME_COLUMNS` followed by every metadata column found in
        any document's ``extra`` (empty string where a document lacks it).
        """
        extra_cols = sorted({k for d in self.documents for k in d.extra} - set(FRAME_COLUMNS))
        rows = []
        for d in sorted(self.documents, key=lambda d: d.doc_id):
            row = asdict(d)
            row.pop("metadata_origin")
            extra = row.pop("extra")
            row["published"] = d.published.isoformat() if d.published else ""
            row["words"] = d.words
            row.update({k: extra.get(k, "") for k in extra_cols})
            rows.append(row)
        return pd.DataFrame(rows, columns=[*FRAME_COLUMNS, *extra_cols])


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LATIN_WORD = re.compile(
    r"[^\W_]*[^\W\d_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af][^\W_]*|\d+(?:[.,]\d+)*"
)


def count_words(text: str) -> int:
    """Count words: whitespace tokens with letters or digits, plus one per CJK character."""
    return len(_LATIN_WORD.findall(text)) + len(_CJK.findall(text))


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def display_path(rel: str) -> str:
    """A path as text that can always be printed and written as UTF-8 (undecodable bytes become �)."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _key(rel: str) -> str:
    return unicodedata.normalize("NFC", display_path(rel))


# --------------------------------------------------------------------------------------------- dates


def parse_published(value: str, *, where: str, today: date | None = None, order: DateOrder | None = None,
                    ) -> tuple[date | None, str | None]:
    """Parse a publication date; return ``(date, None)`` or ``(None, warning)``.

    Accepts the forms of :func:`analysis.ingest.dates.parse_date`: ISO dates and
    timestamps with zones (``2025-04-10T08:00:00+08:00``), ``2025/04/10``, GDELT's
    ``20250410T081500Z``, RFC 2822, ``April 10, 2025``, ``10 April 2025`` and numeric
    dates read in ``order`` (``10/04/2025``). Impossible dates (``2025-02-30``), dates
    before 1900 and dates after ``today`` are refused with a warning naming ``where``.
    """
    today = today or date.today()
    value = value.strip()
    try:
        when = parse_date(value, order=order)
    except DateProblem as exc:
        return None, f"{where}: published {value!r} {exc}; value dropped, article kept"
    if when is None:
        return None, f"{where}: published {value!r} cannot be read as a date; value dropped, article kept"
    if when > today:
        return None, f"{where}: published {value!r} is in the future; value dropped, article kept"
    if when.year < 1900:
        return None, f"{where}: published {value!r} is before 1900; value dropped, article kept"
    return when, None


# ------------------------------------------------------------------------------------------ manifest


def read_manifest(root: Path, *, keep: Iterable[str] = (), max_bytes: int | None = None,
                  ) -> tuple[dict[str, dict[str, str]], list[Rejection], list[str]]:
    """Read ``manifest.csv`` in a corpus folder, if there is one.

    Returns:
        Rows keyed by file name (NFC), rejections (rows naming files outside the folder,
        unknown columns, an unreadable manifest), and warnings.
    """
    path = root / config.MANIFEST_NAME
    if not os.path.lexists(path):
        return {}, [], []
    name = config.MANIFEST_NAME
    try:
        check_entry(path, root=root)
        text, _ = decode_bytes(read_bytes(path, max_bytes=max_bytes or config.MAX_FILE_BYTES))
    except (InputRejected, ValueError) as exc:
        return {}, [Rejection(name, f"{exc}; manifest ignored")], []

    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if not header or "file" not in [normalise_key(h) for h in header]:
        return {}, [Rejection(name, "no 'file' column; manifest ignored")], []
    header = [h.strip() for h in header]
    fmap = map_columns(header, keep=keep)
    rejected: list[Rejection] = []
    if fmap.ignored:
        rejected.append(Rejection(name, f"unknown columns ignored: {', '.join(sorted(fmap.ignored))}"))
    file_col = header[[normalise_key(h) for h in header].index("file")]
    rows: dict[str, dict[str, str]] = {}
    for n, cells in enumerate(reader, start=1):
        row = dict(zip(header, cells, strict=False))
        target = (row.get(file_col) or "").strip().replace("\\", "/")
        if not target:
            continue
        if target.startswith("/") or ".." in target.split("/"):
            rejected.append(Rejection(f"{name}:{target}", f"row {n} names a file outside the corpus folder"))
            continue
        core, extra = pick_fields(row, fmap)
        core.pop("id", None)
        rows[unicodedata.normalize("NFC", target)] = {**core, **extra}
    return rows, rejected, []


# ---------------------------------------------------------------------------------------- discovery


def _iter_files(root: Path, rejected: list[Rejection]) -> list[Path]:
    """Every candidate file under ``root`` (sorted), recording entries that will not be read."""
    files: list[Path] = []

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        rel = where.relative_to(root).as_posix() if where != root else "."
        rejected.append(Rejection(display_path(rel), f"cannot list folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=on_error):
        here = Path(dirpath)
        for d in list(dirnames):
            if (here / d).is_symlink():
                rel = (here / d).relative_to(root).as_posix()
                rejected.append(Rejection(display_path(rel), "symbolic link to a folder; not followed"))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (here / d).is_symlink())
        for name in sorted(filenames):
            p = here / name
            rel = p.relative_to(root).as_posix()
            if name.startswith(".") or (here == root and name == config.MANIFEST_NAME):
                continue
            try:
                check_entry(p, root=root)
            except InputRejected as exc:
                rejected.append(Rejection(display_path(rel), str(exc)))
                continue
            if p.suffix.lower() not in SUPPORTED_SUFFIXES:
                rejected.append(Rejection(display_path(rel), f"unsupported file type {p.suffix or '(none)'!r}"))
                continue
            files.append(p)
    return files


# ------------------------------------------------------------------------------------------ reading


def _decode_page(data: bytes) -> tuple[str, str]:
    charset = declared_charset(data)
    if charset and charset not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be") and not data.startswith(
            (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode(charset), charset
        except UnicodeDecodeError:
            pass
    return decode_bytes(data)


def read_file_records(path: Path, *, rel: str, max_bytes: int, keep: Iterable[str] = ()
                      ) -> Iterator[Record | Skipped | ReadInfo]:
    """Read one input file into records: one for an article file, one per row for a table.

    Tables and JSON files first yield a :class:`~analysis.ingest.tables.ReadInfo` naming
    the format they were recognised as.

    Raises:
        InputRejected: when the whole file cannot be used (unreadable, binary, empty, too large);
            :class:`~analysis.ingest.tables.MetadataOnly` for an export without article text.
    """
    shown = display_path(rel)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from iter_csv(path, rel=shown, max_bytes=max_bytes, keep=keep)
        return
    if suffix in (".jsonl", ".ndjson"):
        yield from iter_jsonl(path, rel=shown, max_bytes=max_bytes, keep=keep)
        return
    if suffix == ".json":
        yield from iter_json(path, rel=shown, max_bytes=max_bytes, keep=keep)
        return
    data = read_bytes(path, max_bytes=max_bytes)
    if not data.strip():
        raise InputRejected("empty or whitespace-only file")
    try:
        text, encoding = _decode_page(data) if suffix in HTML_SUFFIXES else decode_bytes(data)
    except ValueError as exc:
        raise InputRejected(str(exc)) from None
    if not text.strip() or not any(c.isalnum() for c in text):
        raise InputRejected("empty or whitespace-only file")
    rec = Record(path=shown, text=text, sha256=sha256_bytes(data))
    if encoding in ("cp1252", "latin-1"):
        rec.notes.append(f"not UTF-8; decoded as {encoding}")
    nuls = text.count("\x00")
    if nuls:
        rec.notes.append(f"{nuls} NUL byte(s) removed")
        text = text.replace("\x00", "")
    if suffix in MARKDOWN_SUFFIXES:
        body, front, warnings = split_front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))
        rec.notes.extend(warnings)
        fmap = map_columns(front.keys(), keep=keep)
        rec.meta, rec.extra = pick_fields(front, fmap)
        if fmap.ignored:
            rec.notes.append(f"unknown front matter keys ignored: {', '.join(sorted(fmap.ignored))}")
        rec.text, rec.kind, rec.origin = markdown_to_text(body), "body", "front matter"
    elif suffix in HTML_SUFFIXES:
        body, meta = extract_html(text)
        if not body.strip():
            raise InputRejected("no article text found in the HTML page")
        rec.text, rec.meta, rec.kind, rec.origin = body, meta, "body", "html"
    else:
        rec.text = text
    yield rec


# ------------------------------------------------------------------------------------ to documents


def _language_code(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().lower().replace("_", "-")
    v = _LANGUAGE_NAMES.get(v, v)
    return v if re.fullmatch(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*", v) else None


def read_outlet_map(path: Path | str) -> dict[str, str]:
    """Read an outlet map: a CSV with columns ``from,to`` that renames or merges outlets.

    ``from`` is matched without regard to case, against the outlet as found and against
    its registered domain (so ``edition.cnn.com`` and ``cnn.com`` both match ``cnn.com``).

    Raises:
        CorpusError: naming the file, if it cannot be read or lacks the two columns.
    """
    path = Path(path)
    try:
        text, _ = decode_bytes(read_bytes(path, max_bytes=config.MAX_FILE_BYTES))
    except (OSError, InputRejected, ValueError) as exc:
        raise CorpusError(f"--outlet-map {path}: cannot be read ({exc})") from None
    rows = list(csv.reader(text.splitlines(), delimiter=";" if text.split("\n", 1)[0].count(";") else ","))
    header = [normalise_key(h) for h in rows[0]] if rows else []
    if "from" not in header or "to" not in header:
        raise CorpusError(f"--outlet-map {path}: expected a CSV with columns 'from,to' (e.g. 'edition.cnn.com,CNN')")
    i, j = header.index("from"), header.index("to")
    out: dict[str, str] = {}
    for n, row in enumerate(rows[1:], start=2):
        if len(row) <= max(i, j) or not row[i].strip():
            continue
        if not row[j].strip():
            raise CorpusError(f"--outlet-map {path}: line {n} has no 'to' name for {row[i].strip()!r}")
        out[row[i].strip().lower()] = row[j].strip()
        reg = registered_domain(row[i])
        if reg:
            out.setdefault(reg, row[j].strip())
    return out


def _map_outlet(outlet: str, outlet_map: dict[str, str] | None) -> str | None:
    if not outlet_map:
        return None
    return outlet_map.get(outlet.lower()) or outlet_map.get(registered_domain(outlet) or "")


def build_document(rec: Record, *, doc_id: str, manifest_row: dict[str, str] | None = None,
                   today: date | None = None, order: DateOrder | None = None,
                   outlet_map: dict[str, str] | None = None) -> tuple[Document | None, list[Rejection]]:
    """Clean a record's text and settle its metadata into a :class:`Document`.

    Metadata precedence: the manifest, then the input's own fields (front matter, HTML
    metadata, table columns, in the order its format prefers), then what the cleaner
    found in the text. An outlet written as a URL or host name becomes its registered
    domain, and is then renamed by ``outlet_map``; an article without an outlet takes
    the registered domain of its URL.

    ``metadata_origin`` says where each field came from: ``manifest``, ``front matter``,
    ``html``, ``text``, ``column NAME`` or ``url (registered domain)``.

    Returns:
        The document (None when no text is left) and the rejections/alterations for it.
    """
    notes = [Rejection(rec.path, n) for n in rec.notes]
    cleaned = clean_text(rec.text, mode="body" if rec.kind == "body" else "scraped")
    if not cleaned.text.strip() or not any(c.isalnum() for c in cleaned.text):
        return None, [*notes, Rejection(rec.path, "no article text left after removing page furniture")]
    manifest_row = manifest_row or {}
    extra = {**rec.extra, **{k: v for k, v in manifest_row.items() if k not in _CORE}}
    origin: dict[str, str] = {}

    def pick(key: str, inferred: str | None = None) -> str | None:
        if manifest_row.get(key):
            origin[key] = "manifest"
            return manifest_row[key]
        if rec.meta.get(key):
            col = rec.columns.get(key)
            origin[key] = f"column {col}" if col else rec.origin
            return rec.meta[key]
        if inferred:
            origin[key] = "text"
            return inferred
        return None

    published = None
    raw_date = pick("published")
    if raw_date:
        published, warn = parse_published(raw_date, where=rec.path, today=today, order=order)
        if warn:
            notes.append(Rejection(rec.path, warn.split(": ", 1)[1]))
            origin.pop("published", None)
    if published is None and cleaned.published and cleaned.published <= (today or date.today()):
        published = cleaned.published
        origin["published"] = "text"
    url = pick("url", cleaned.url)
    if url and not re.match(r"^https?://\S+$", url, re.IGNORECASE):
        notes.append(Rejection(rec.path, f"url {url[:80]!r} is not an http(s) address; value dropped"))
        url = None
    raw_language = pick("language")
    declared = _language_code(raw_language)
    if raw_language and not declared:
        notes.append(Rejection(rec.path, f"language {raw_language[:40]!r} is not a language code; "
                                         "value dropped, language detected instead"))
    profile = language_profile(cleaned.text, main=declared)
    if not declared:
        origin["language"] = "detected from the text"
    outlet = pick("outlet", cleaned.outlet)
    if outlet:
        domain = normalise_outlet(outlet)
        if domain != outlet.strip() and "outlet" in origin:
            origin["outlet"] += " (registered domain)"
        outlet = domain
    elif registered_domain(url):
        outlet = registered_domain(url)
        origin["outlet"] = "url (registered domain)"
    renamed = _map_outlet(outlet, outlet_map) if outlet else None
    if renamed:
        origin["outlet"] = origin.get("outlet", "") + " + outlet map"
        outlet = renamed
    country = extra.pop("country", None)
    outlet_type = extra.pop("outlet_type", None)
    if country and "country" in rec.columns:
        origin["country"] = f"column {rec.columns['country']}"
    if "text" in rec.columns:
        origin["text"] = f"column {rec.columns['text']}"
    doc = Document(
        doc_id=doc_id,
        source=outlet or "Unknown outlet",
        text=cleaned.text,
        path=rec.path,
        published=published,
        language=profile.language,
        title=pick("title", cleaned.title),
        author=pick("author", cleaned.author),
        url=url,
        country=country,
        outlet_type=outlet_type,
        sha256=rec.sha256,
        metadata_origin=origin,
        removed_lines=len(cleaned.removed),
        extra=extra,
        segments_non_english=profile.segments_non_english,
        languages=profile.languages,
    )
    return doc, notes


_CORE = frozenset({"title", "outlet", "published", "url", "author", "language"})


def _assign_ids(recs: list[Record], *, rel: str, single: bool) -> tuple[list[str], str | None]:
    """Document ids for the records of one file, and a note when the id column was not usable."""
    stem = display_path(Path(rel).with_suffix("").as_posix())
    if single:
        return [stem], None
    ids = [r.meta.get("id", "").strip() for r in recs]
    if ids and all(ids) and len(set(ids)) == len(ids):
        return ids, None
    fallback = [f"{stem}#{r.row}" for r in recs]
    if any(ids):
        missing = sum(1 for i in ids if not i)
        dup = len(ids) - missing - len(set(i for i in ids if i))
        why = ", ".join(p for p in (f"{missing} empty" if missing else "", f"{dup} repeated" if dup else "") if p)
        return fallback, f"id column not unique ({why}); ids are <file>#<row> instead"
    return fallback, None


# -------------------------------------------------------------------------------------------- load


def load_corpus(
    root: Path | str | None = None,
    *,
    today: date | None = None,
    max_bytes: int | None = None,
    keep_columns: Iterable[str] = (),
    near_duplicate_threshold: float | None = NEAR_DUPLICATE_THRESHOLD,
    date_order: DateOrder | None = None,
    outlet_map: Path | str | dict[str, str] | None = None,
) -> Corpus:
    """Load every usable article in a corpus folder, ``.csv``, ``.jsonl`` or ``.json`` file.

    Args:
        root: A corpus folder, or one CSV / JSON Lines / JSON file; the seed corpus when omitted.
        today: Reference date for refusing dates in the future (defaults to today).
        max_bytes: Largest article file (or table row, or ``.json`` file) read, in bytes;
            defaults to ``config.MAX_FILE_BYTES``. CSV and JSON Lines files are streamed
            and may be larger.
        keep_columns: Extra column names (beyond :data:`analysis.ingest.fields.METADATA_COLUMNS`)
            to keep as document metadata instead of ignoring them.
        near_duplicate_threshold: Similarity above which a document is marked as a
            near-duplicate of an earlier one; None turns the check off.
        date_order: How to read numeric dates such as ``03/04/2025``. None detects the
            order per file from the dates that settle it, and refuses a table whose dates
            do not (naming the options).
        outlet_map: A ``from,to`` CSV (see :func:`read_outlet_map`), or its rows, that
            renames or merges outlets.

    Returns:
        The corpus; ``rejected`` lists every input dropped or altered, with the reason, and
        ``inputs`` how each input was read.

    Raises:
        CorpusError: if the path does not exist or is a file of an unsupported type.
        MetadataOnlyExport: if the inputs are exports of links without article text.
    """
    root = Path(root) if root is not None else Path(config.DEFAULT_CORPUS)
    max_bytes = int(max_bytes if max_bytes is not None else config.MAX_FILE_BYTES)
    keep = tuple(keep_columns)
    if date_order not in (None, "dayfirst", "monthfirst"):
        raise CorpusError(f"date order {date_order!r}: expected 'dayfirst' or 'monthfirst'")
    renames = read_outlet_map(outlet_map) if isinstance(outlet_map, (str, Path)) else outlet_map
    folder, files, manifest, rejected = _inputs(root, keep=keep, max_bytes=max_bytes)

    docs: list[Document] = []
    seen_text: dict[str, str] = {}
    seen_files: set[str] = set()
    groups: dict[str, _Tally] = {}
    metadata_only: list[str] = []
    manifest_order = detect_order(row.get("published") for row in manifest.values()).order
    for path in files:
        rel = path.relative_to(folder).as_posix()
        shown = display_path(rel)
        seen_files.add(_key(rel))
        recs: list[Record] = []
        info: ReadInfo | None = None
        try:
            for item in read_file_records(path, rel=rel, max_bytes=max_bytes, keep=keep):
                if isinstance(item, ReadInfo):
                    info = item
                elif isinstance(item, Skipped):
                    rejected.append(Rejection(item.path, item.reason))
                else:
                    recs.append(item)
        except MetadataOnly as exc:
            rejected.append(Rejection(shown, str(exc)))
            metadata_only.append(f"{shown}: {exc}")
            groups[shown] = _Tally(InputSummary(path=shown, format="", refused=str(exc)))
            continue
        except InputRejected as exc:
            rejected.append(Rejection(shown, str(exc)))
            continue
        except OSError as exc:
            rejected.append(Rejection(shown, f"cannot read: {exc.strerror or exc}"))
            continue
        single = path.suffix.lower() not in TABLE_SUFFIXES or (info is not None and info.container == "JSON file")
        tally = _tally_for(groups, path=path, rel=rel, info=info, single=single,
                           base="" if root.is_file() else f"{folder.name}/")
        row = manifest.get(_key(rel)) or {}
        finding = detect_order(row.get("published") or r.meta.get("published") for r in recs)
        order = date_order or finding.order or (None if finding.conflict else manifest_order)
        refusal = None if order else finding.refusal()
        if refusal and not single:
            rejected.append(Rejection(shown, f"not read: {refusal}"))
            tally.summary.refused = refusal
            continue
        if date_order:
            tally.orders[f"{date_order.removesuffix('first')}-first (--{date_order})"] += 1
        elif finding.order:
            tally.orders[f"{finding.order.removesuffix('first')}-first, as {finding.evidence!r} shows"] += 1
        elif order and finding.ambiguous:
            tally.orders[f"{order.removesuffix('first')}-first, as the manifest's dates show"] += 1
        ids, note = _assign_ids(recs, rel=rel, single=single)
        if note:
            rejected.append(Rejection(shown, note))
        for rec, doc_id in zip(recs, ids, strict=True):
            doc, notes = build_document(rec, doc_id=doc_id, manifest_row=row or None, today=today, order=order,
                                        outlet_map=renames)
            rejected.extend(notes)
            tally.add(rec, doc, notes)
            if doc is None:
                continue
            key = sha256_bytes(doc.text.encode("utf-8", "surrogatepass"))
            if key in seen_text:
                rejected.append(Rejection(doc.path, f"exact duplicate of {seen_text[key]}; dropped"))
                continue
            seen_text[key] = doc.path
            docs.append(doc)
            tally.summary.documents += 1
    for name in sorted(set(manifest) - seen_files):
        if not any(r.path == name for r in rejected):
            rejected.append(Rejection(f"{config.MANIFEST_NAME}:{name}", "manifest row names a missing file"))
    if metadata_only and not docs:
        more = f" (and {len(metadata_only) - 1} more such files)" if len(metadata_only) > 1 else ""
        raise MetadataOnlyExport(metadata_only[0] + more)
    rejected.extend(_unique_ids(docs))
    if near_duplicate_threshold is not None and len(docs) > 1:
        rejected.extend(mark_near_duplicates(docs, threshold=near_duplicate_threshold))
    inputs = [t.finish() for t in groups.values()]
    rejected.extend(Rejection(t.summary.path, t.date_warning) for t in groups.values() if t.date_warning)
    warnings = [f"{r.path}: {r.reason}" for r in rejected]
    for s in inputs:
        log.info(s.line)
        for w in s.warnings:
            log.warning("%s: %s", s.path, w)
    for w in warnings[:20]:
        log.warning(w)
    if len(warnings) > 20:
        log.warning("%d more inputs rejected or altered; see Corpus.rejected", len(warnings) - 20)
    log.info("loaded %d documents from %s (%d inputs rejected or altered)", len(docs), root, len(rejected))
    return Corpus(root=folder, documents=docs, rejected=rejected, warnings=warnings, inputs=inputs)


def _inputs(root: Path, *, keep: tuple[str, ...], max_bytes: int,
            ) -> tuple[Path, list[Path], dict[str, dict[str, str]], list[Rejection]]:
    """The folder, the files to read, the manifest and the rejections found while listing."""
    if root.is_file():
        if root.suffix.lower() not in TABLE_SUFFIXES:
            raise CorpusError(f"{root}: a single-file corpus must be .csv, .jsonl or .json")
        folder = root.resolve().parent
        return folder, [folder / root.name], {}, []
    if root.is_dir():
        folder = root.resolve()
        manifest, rejected, _ = read_manifest(folder, keep=keep, max_bytes=max_bytes)
        return folder, _iter_files(folder, rejected), manifest, rejected
    raise CorpusError(f"{root}: corpus folder or file not found")


def check_corpus(root: Path | str, *, max_bytes: int | None = None) -> None:
    """Refuse, before any work, a corpus made only of exports without article text.

    A folder with any article file (``.txt``, ``.md``, ``.html``) passes at once; table
    and JSON files are opened only as far as their fields. Other problems are left to
    :func:`load_corpus`, which reports them file by file.

    Raises:
        MetadataOnlyExport: saying which export it is and how to get the texts.
    """
    root = Path(root)
    max_bytes = int(max_bytes if max_bytes is not None else config.MAX_FILE_BYTES)
    try:
        folder, files, _, _ = _inputs(root, keep=(), max_bytes=max_bytes)
    except CorpusError:
        return
    reasons = []
    for path in files:
        if path.suffix.lower() not in TABLE_SUFFIXES:
            return
        rel = path.relative_to(folder).as_posix()
        try:
            next(iter(read_file_records(path, rel=rel, max_bytes=max_bytes)), None)
        except MetadataOnly as exc:
            reasons.append(f"{display_path(rel)}: {exc}")
            continue
        except (InputRejected, OSError):
            pass
        return
    if reasons:
        more = f" (and {len(reasons) - 1} more such files)" if len(reasons) > 1 else ""
        raise MetadataOnlyExport(reasons[0] + more)


_ARTICLE_KINDS = {".txt": "plain-text articles", ".text": "plain-text articles", ".md": "Markdown articles",
                  ".markdown": "Markdown articles", ".html": "HTML pages", ".htm": "HTML pages",
                  ".xhtml": "HTML pages"}


@dataclass
class _Tally:
    """Counts behind one :class:`InputSummary` while its records are read."""

    summary: InputSummary
    sources: dict[str, Counter] = field(default_factory=dict)
    orders: Counter = field(default_factory=Counter)
    changes: Counter = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)
    dates_given: int = 0
    dates_read: int = 0
    date_failure: str | None = None
    text_note: str | None = None
    singular: str | None = None
    date_warning: str | None = None

    def add(self, rec: Record, doc: Document | None, notes: list[Rejection]) -> None:
        self.summary.read += 1
        self.changes.update(rec.changes)
        if doc is None:
            return
        for k, v in doc.metadata_origin.items():
            if k in SUMMARY_FIELDS:
                self.sources.setdefault(k, Counter())[v.removeprefix("column ").removesuffix(" + outlet map")] += 1
        if doc.metadata_origin.get("outlet", "").endswith(" + outlet map"):
            self.changes["outlet renamed by the outlet map"] += 1
        failure = next((n.reason for n in notes if n.reason.startswith("published ")), None)
        read = doc.metadata_origin.get("published") not in (None, "text")
        if read or failure:  # the input gave a date (the manifest's or its own)
            self.dates_given += 1
            self.dates_read += read
            self.date_failure = self.date_failure or failure

    def finish(self) -> InputSummary:
        s = self.summary
        if s.refused:
            return s
        if s.unit == "files" and len(self.files) == 1:
            s.path = self.files[0]
            s.format = self.singular or s.format
        for k, counts in self.sources.items():
            (top, _), *rest = counts.most_common()
            s.fields[k] = top + "".join(f"; {v} for {n}" for v, n in rest)
        by_order: dict[str, str] = {}
        for o in self.orders:  # one reason per order: a group of files may settle it several times
            by_order.setdefault(o.split(" ", 1)[0].rstrip(","), o)
        s.details.extend(f"dates {o}" for o in by_order.values())
        s.details.extend(f"{what} in {n} {'article' if what.startswith('outlet') else 'text'}{'s' if n > 1 else ''}"
                         for what, n in sorted(self.changes.items()))
        if self.dates_given and not self.dates_read and self.date_failure:
            value = self.date_failure.removeprefix("published ").split("; value dropped")[0]
            self.date_warning = (f"none of the {self.dates_given} publication dates could be read (e.g. {value}); "
                                 "the articles are kept without a date")
            s.warnings.append(self.date_warning)
        if self.text_note and s.documents:
            s.warnings.append(self.text_note)
        return s


def _tally_for(groups: dict[str, _Tally], *, path: Path, rel: str, info: ReadInfo | None,
               single: bool, base: str = "") -> _Tally:
    """The tally a file's records are counted in: its own for a table, its folder's kind for article files."""
    fmt = info.fmt if info else PROJECT
    if single:
        parent = Path(rel).parent.as_posix()
        shown = display_path(base + (f"*{path.suffix.lower()}" if parent == "." else f"{parent}/*{path.suffix.lower()}"))
        key = f"{shown}\0{fmt.key}"
        kind = _ARTICLE_KINDS.get(path.suffix.lower())
        label = kind or (f"{fmt.label.removeprefix('a ').removeprefix('the ')} JSON files"
                         if fmt is not PROJECT else "JSON articles")
        singular = f"a {kind.removesuffix('s')}" if kind else f"{fmt.label} JSON file"
        unit = "files"
    else:
        shown = key = display_path(rel)
        label, unit, singular = f"{fmt.label} {info.container if info else 'table'}", "rows", None
    if key not in groups:
        groups[key] = _Tally(InputSummary(path=shown, format=label, unit=unit,
                                          details=list(info.details) if info else []),
                             text_note=fmt.text_note, singular=singular)
    groups[key].files.append(display_path(base + rel))
    return groups[key]


def _unique_ids(docs: list[Document]) -> list[Rejection]:
    """Make doc ids unique across files: the first input keeps an id, later ones take their path."""
    taken = {d.doc_id for d in docs}
    seen: set[str] = set()
    out = []
    for d in docs:
        if d.doc_id in seen:
            new = d.path
            n = 1
            while new in taken:
                n += 1
                new = f"{d.path}~{n}"
            out.append(Rejection(d.path, f"doc_id {d.doc_id!r} already used by another input; renamed {new!r}"))
            taken.add(new)
            d.doc_id = new
        seen.add(d.doc_id)
    return out


def mark_near_duplicates(docs: list[Document], *, threshold: float = NEAR_DUPLICATE_THRESHOLD) -> list[Rejection]:
    """Mark each near-duplicate with the doc_id of the earliest copy of its group (in place).

    The earliest copy (by publication date, then doc_id) stays unmarked; the others get
    ``near_duplicate_of`` and ``near_duplicate_similarity`` and are kept.

    Returns:
        One entry per marked document for ``Corpus.rejected``.
    """
    pairs = dedup.near_duplicates([d.text for d in docs], threshold=threshold)
    if not pairs:
        return []
    order = [(d.published or date.max, d.doc_id) for d in docs]
    reps = dedup.cluster_representatives(len(docs), pairs, order=order)
    sims = {(i, j): s for i, j, s in pairs}
    out = []
    for i, rep in sorted(reps.items()):
        sim = sims.get((min(i, rep), max(i, rep)))
        d = docs[i]
        d.near_duplicate_of = docs[rep].doc_id
        d.near_duplicate_similarity = sim
        how = f" (similarity {sim:.2f})" if sim is not None else " (through a chain of similar copies)"
        out.append(Rejection(d.path, f"near-duplicate of {docs[rep].doc_id}{how}; kept and marked"))
    return out


# ------------------------------------------------------------------------------------------ outputs


def write_rejected(corpus: Corpus, path: Path | str) -> Path:
    """Write ``corpus.rejected`` as a UTF-8 CSV with columns ``path,reason``.

    Cells that a spreadsheet would run as formulas are prefixed with a quote.

    Returns:
        The path written.
    """
    return write_safe_csv(((r.path, r.reason) for r in corpus.rejected), path, header=("path", "reason"))


def language_mix(corpus: Corpus) -> pd.DataFrame:
    """Documents and words per main language, most words first.

    Returns:
        Columns ``language``, ``documents``, ``words``.
    """
    counts: dict[str, list[int]] = {}
    for d in corpus.documents:
        c = counts.setdefault(d.language or "und", [0, 0])
        c[0] += 1
        c[1] += d.words
    df = pd.DataFrame([(k, v[0], v[1]) for k, v in counts.items()], columns=["language", "documents", "words"])
    return df.sort_values(["words", "language"], ascending=[False, True], ignore_index=True)


def corpus_hash(root: Path) -> str:
    """A SHA-256 over every file's relative path and bytes, in sorted order (symlinks skipped)."""
    root = Path(root)
    h = hashlib.sha256()
    if root.is_file():
        h.update(root.name.encode("utf-8", "surrogateescape") + b"\0")
        h.update(sha256_bytes(root.read_bytes()).encode("ascii"))
        return h.hexdigest()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.is_symlink() or not p.is_file():
                continue
            h.update(p.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0")
            try:
                h.update(sha256_bytes(p.read_bytes()).encode("ascii"))
            except OSError:
                h.update(b"unreadable")
    return h.hexdigest()
