"""Load a corpus of news articles into validated, cleaned documents.

A corpus is a folder of article files (``.txt``, ``.md`` with optional YAML front
matter, ``.html``; ``.csv`` and ``.jsonl`` tables with one article per row) with an
optional ``manifest.csv`` of metadata per file, or a single ``.csv``/``.jsonl``
file. Inputs are opened read-only and never modified; symbolic links are never
followed. Every input that is rejected, or used only after a change (a guessed
encoding, a dropped metadata value, a near-duplicate mark), is listed in
``Corpus.rejected`` with its path and the reason.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.clean import clean_text, parse_date_text
from analysis.export import write_safe_csv
from analysis.ingest import dedup
from analysis.ingest.encoding import decode_bytes
from analysis.ingest.fields import Record, Skipped, map_columns, normalise_key, pick_fields
from analysis.ingest.html import declared_charset, extract_html
from analysis.ingest.markdown import markdown_to_text, split_front_matter
from analysis.ingest.safe_io import InputRejected, check_entry, read_bytes
from analysis.ingest.tables import TABLE_SUFFIXES, iter_csv, iter_jsonl
from analysis.language import language_profile

log = logging.getLogger(__name__)

__all__ = [
    "Corpus", "CorpusError", "Document", "Rejection", "corpus_hash", "count_words", "decode_bytes",
    "language_mix", "load_corpus", "write_rejected",
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
}


class CorpusError(ValueError):
    """The corpus as a whole cannot be used (missing folder, unsupported file)."""


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


def parse_published(value: str, *, where: str, today: date | None = None) -> tuple[date | None, str | None]:
    """Parse a publication date; return ``(date, None)`` or ``(None, warning)``.

    Accepts ISO dates with or without a time (``2025-04-10``, ``2025-04-10T08:00:00Z``),
    ``2025/04/10``, ``April 10, 2025``, ``10 April 2025`` and e-mail style dates.
    Impossible dates (``2025-02-30``), dates before 1900 and dates after ``today`` are
    refused with a warning naming ``where``.
    """
    today = today or date.today()
    value = value.strip()
    when: date | None = None
    m = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])", value)
    if m:
        try:
            when = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None, f"{where}: published {value!r} is not a real date; value dropped, article kept"
    else:
        when = parse_date_text(value)
        if when is None:
            try:
                parsed = email.utils.parsedate_to_datetime(value)
                when = parsed.date() if isinstance(parsed, datetime) else None
            except (TypeError, ValueError, IndexError):
                when = None
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
    import csv

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
                      ) -> Iterator[Record | Skipped]:
    """Read one input file into records: one for an article file, one per row for a table.

    Raises:
        InputRejected: when the whole file cannot be used (unreadable, binary, empty, too large).
    """
    shown = display_path(rel)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from iter_csv(path, rel=shown, max_bytes=max_bytes, keep=keep)
        return
    if suffix in (".jsonl", ".ndjson"):
        yield from iter_jsonl(path, rel=shown, max_bytes=max_bytes, keep=keep)
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


def _outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    m = re.match(r"^https?://(?:www\.)?([^/:?#]+)", url, re.IGNORECASE)
    return m.group(1).lower() if m else None


def build_document(rec: Record, *, doc_id: str, manifest_row: dict[str, str] | None = None,
                   today: date | None = None) -> tuple[Document | None, list[Rejection]]:
    """Clean a record's text and settle its metadata into a :class:`Document`.

    Metadata precedence: the manifest, then the input's own fields (front matter, HTML
    metadata, table columns), then what the cleaner found in the text.

    Returns:
        The document (None when no text is left) and the rejections/alterations for it.
    """
    notes = [Rejection(rec.path, n) for n in rec.notes]
    cleaned = clean_text(rec.text, mode="body" if rec.kind == "body" else "scraped")
    if not cleaned.text.strip() or not any(c.isalnum() for c in cleaned.text):
        return None, [*notes, Rejection(rec.path, "no article text left after removing page furniture")]
    if cleaned.uncertain:
        notes.append(Rejection(rec.path, cleaned.uncertain))
    manifest_row = manifest_row or {}
    extra = {**rec.extra, **{k: v for k, v in manifest_row.items() if k not in _CORE}}
    origin: dict[str, str] = {}

    def pick(key: str, inferred: str | None = None) -> str | None:
        if manifest_row.get(key):
            origin[key] = "manifest"
            return manifest_row[key]
        if rec.meta.get(key):
            origin[key] = rec.origin
            return rec.meta[key]
        if inferred:
            origin[key] = "text"
            return inferred
        return None

    published = None
    raw_date = pick("published")
    if raw_date:
        published, warn = parse_published(raw_date, where=rec.path, today=today)
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
    outlet = pick("outlet", cleaned.outlet) or _outlet_from_url(url)
    country = extra.pop("country", None)
    outlet_type = extra.pop("outlet_type", None)
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
) -> Corpus:
    """Load every usable article in a corpus folder, ``.csv`` or ``.jsonl`` file.

    Args:
        root: A corpus folder, or one CSV / JSON Lines file; the seed corpus when omitted.
        today: Reference date for refusing dates in the future (defaults to today).
        max_bytes: Largest article file (or table row) read, in bytes; defaults to
            ``config.MAX_FILE_BYTES``. Table files themselves are streamed and may be larger.
        keep_columns: Extra column names (beyond :data:`analysis.ingest.fields.METADATA_COLUMNS`)
            to keep as document metadata instead of ignoring them.
        near_duplicate_threshold: Similarity above which a document is marked as a
            near-duplicate of an earlier one; None turns the check off.

    Returns:
        The corpus; ``rejected`` lists every input dropped or altered, with the reason.

    Raises:
        CorpusError: if the path does not exist or is a file of an unsupported type.
    """
    root = Path(root) if root is not None else Path(config.DEFAULT_CORPUS)
    max_bytes = int(max_bytes if max_bytes is not None else config.MAX_FILE_BYTES)
    keep = tuple(keep_columns)
    rejected: list[Rejection] = []
    if root.is_file():
        if root.suffix.lower() not in TABLE_SUFFIXES:
            raise CorpusError(f"{root}: a single-file corpus must be .csv or .jsonl")
        folder = root.resolve().parent
        files = [folder / root.name]
        manifest: dict[str, dict[str, str]] = {}
    elif root.is_dir():
        folder = root.resolve()
        manifest, rejected, _ = read_manifest(folder, keep=keep, max_bytes=max_bytes)
        files = _iter_files(folder, rejected)
    else:
        raise CorpusError(f"{root}: corpus folder or file not found")

    docs: list[Document] = []
    seen_text: dict[str, str] = {}
    seen_files: set[str] = set()
    for path in files:
        rel = path.relative_to(folder).as_posix()
        seen_files.add(_key(rel))
        recs: list[Record] = []
        try:
            for item in read_file_records(path, rel=rel, max_bytes=max_bytes, keep=keep):
                if isinstance(item, Skipped):
                    rejected.append(Rejection(item.path, item.reason))
                else:
                    recs.append(item)
        except InputRejected as exc:
            rejected.append(Rejection(display_path(rel), str(exc)))
            continue
        except OSError as exc:
            rejected.append(Rejection(display_path(rel), f"cannot read: {exc.strerror or exc}"))
            continue
        single = path.suffix.lower() not in TABLE_SUFFIXES
        ids, note = _assign_ids(recs, rel=rel, single=single)
        if note:
            rejected.append(Rejection(display_path(rel), note))
        for rec, doc_id in zip(recs, ids, strict=True):
            doc, notes = build_document(rec, doc_id=doc_id, manifest_row=manifest.get(_key(rel)), today=today)
            rejected.extend(notes)
            if doc is None:
                continue
            key = sha256_bytes(doc.text.encode("utf-8", "surrogatepass"))
            if key in seen_text:
                rejected.append(Rejection(doc.path, f"exact duplicate of {seen_text[key]}; dropped"))
                continue
            seen_text[key] = doc.path
            docs.append(doc)
    for name in sorted(set(manifest) - seen_files):
        if not any(r.path == name for r in rejected):
            rejected.append(Rejection(f"{config.MANIFEST_NAME}:{name}", "manifest row names a missing file"))
    rejected.extend(_unique_ids(docs))
    if near_duplicate_threshold is not None and len(docs) > 1:
        rejected.extend(mark_near_duplicates(docs, threshold=near_duplicate_threshold))
    warnings = [f"{r.path}: {r.reason}" for r in rejected]
    for w in warnings[:20]:
        log.warning(w)
    if len(warnings) > 20:
        log.warning("%d more inputs rejected or altered; see Corpus.rejected", len(warnings) - 20)
    log.info("loaded %d documents from %s (%d inputs rejected or altered)", len(docs), root, len(rejected))
    return Corpus(root=folder, documents=docs, rejected=rejected, warnings=warnings)


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
