"""Load a corpus of news articles into validated, cleaned documents.

A corpus is a folder of article files (with an optional ``manifest.csv`` of
metadata per file). Raw files are opened read-only and never modified; every
file that cannot be used is reported with its path and the reason.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.clean import clean_text, parse_date_text
from analysis.language import detect_language

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")
MANIFEST_COLUMNS = ("file", "outlet", "published", "url", "author", "language", "country", "outlet_type")


class CorpusError(ValueError):
    """The corpus as a whole cannot be used (missing folder, nothing loadable)."""


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

    @property
    def words(self) -> int:
        """Number of word tokens in the cleaned body (whitespace-separated; CJK characters count one each)."""
        return count_words(self.text)


@dataclass(frozen=True)
class Rejection:
    """An input that was not used, or was used only in part."""

    path: str
    reason: str


@dataclass
class Corpus:
    """The documents of a corpus plus everything that was rejected or altered."""

    root: Path
    documents: list[Document]
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """One row per document, sorted by id, in the shape of ``documents.csv``."""
        rows = []
        for d in sorted(self.documents, key=lambda d: d.doc_id):
            row = asdict(d)
            row.pop("metadata_origin")
            row["published"] = d.published.isoformat() if d.published else ""
            row["words"] = d.words
            rows.append(row)
        cols = [
            "doc_id", "source", "published", "language", "words", "path", "text", "title", "author", "url",
            "country", "outlet_type", "sha256", "removed_lines",
        ]
        return pd.DataFrame(rows, columns=cols)


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def count_words(text: str) -> int:
    """Count words: whitespace tokens with letters or digits, plus one per CJK character."""
    cjk = len(_CJK.findall(text))
    latin = len(re.findall(r"[^\W_]*[^\W\d_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af][^\W_]*|\d+(?:[.,]\d+)*", text))
    return latin + cjk


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode bytes of an article file, returning the text and the encoding used.

    UTF-8 (with or without BOM) and UTF-16 with BOM are tried first, then cp1252 and
    latin-1 for legacy files.

    Raises:
        ValueError: if the bytes look binary rather than text.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    sample = data[:8192]
    if sample.count(b"\x00") > max(1, len(sample) // 100):
        raise ValueError("binary content (NUL bytes) in a text file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if controls > max(2, len(sample) // 50):
        raise ValueError("binary content (control bytes) in a text file")
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def read_manifest(root: Path) -> tuple[dict[str, dict[str, str]], list[Rejection], list[str]]:
    """Read ``manifest.csv`` in a corpus folder, if there is one.

    Returns:
        Rows keyed by file name, rejections for rows naming missing files, warnings.
    """
    path = root / config.MANIFEST_NAME
    if not path.is_file():
        return {}, [], []
    rows: dict[str, dict[str, str]] = {}
    rejected: list[Rejection] = []
    warnings: list[str] = []
    text, _ = decode_bytes(path.read_bytes())
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames or "file" not in reader.fieldnames:
        warnings.append(f"{path.name}: no 'file' column; manifest ignored")
        return {}, [], warnings
    unknown = sorted(set(reader.fieldnames) - set(MANIFEST_COLUMNS) - {"title", "notes"})
    if unknown:
        warnings.append(f"{path.name}: unknown columns ignored: {', '.join(unknown)}")
    for row in reader:
        name = (row.get("file") or "").strip()
        if not name:
            continue
        target = (root / name)
        if not target.is_file():
            rejected.append(Rejection(f"{config.MANIFEST_NAME}:{name}", "manifest row names a missing file"))
            continue
        rows[name] = {k: (v or "").strip() for k, v in row.items() if k and v and v.strip()}
    return rows, rejected, warnings


def parse_published(value: str, *, where: str, today: date | None = None) -> tuple[date | None, str | None]:
    """Parse a publication date; return ``(date, None)`` or ``(None, warning)``."""
    today = today or date.today()
    when = parse_date_text(value[:10]) if re.match(r"^\d{4}-\d{2}-\d{2}", value) else parse_date_text(value)
    if when is None:
        return None, f"{where}: unparseable date {value!r} dropped"
    if when > today:
        return None, f"{where}: date {value!r} is in the future; dropped"
    if when.year < 1900:
        return None, f"{where}: implausible date {value!r} dropped"
    return when, None


def _iter_files(root: Path, rejected: list[Rejection]) -> list[Path]:
    files: list[Path] = []
    root_real = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if name.startswith(".") or name == config.MANIFEST_NAME:
                continue
            if p.is_symlink():
                target = p.resolve()
                if not target.is_relative_to(root_real):
                    rejected.append(Rejection(rel, "symbolic link pointing outside the corpus folder; not followed"))
                    continue
            if p.suffix.lower() not in TEXT_SUFFIXES:
                rejected.append(Rejection(rel, f"unsupported file type {p.suffix or '(none)'!r}"))
                continue
            files.append(p)
    return files


def _strip_front_matter(text: str) -> tuple[str, dict[str, str]]:
    if not text.startswith("---\n"):
        return text, {}
    end = text.find("\n---", 4)
    if end < 0:
        return text, {}
    import yaml

    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError:
        return text, {}
    if not isinstance(meta, dict):
        return text, {}
    body = text[end + 4:].lstrip("-\n")
    return body, {str(k): str(v) for k, v in meta.items() if v is not None}


def load_file(path: Path, *, root: Path, manifest_row: dict[str, str] | None = None,
              today: date | None = None) -> tuple[Document | None, list[Rejection], list[str]]:
    """Load one article file into a cleaned document.

    Returns:
        The document (or None when rejected), rejections and warnings.
    """
    rel = path.relative_to(root).as_posix()
    warnings: list[str] = []
    size = path.stat().st_size
    if size > config.MAX_FILE_BYTES:
        return None, [Rejection(rel, f"file is {size:,} bytes, over the {config.MAX_FILE_BYTES:,}-byte limit")], []
    data = path.read_bytes()
    if not data.strip():
        return None, [Rejection(rel, "empty or whitespace-only file")], []
    try:
        raw, encoding = decode_bytes(data)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, [Rejection(rel, str(exc))], []
    if encoding not in ("utf-8", "utf-8-sig"):
        warnings.append(f"{rel}: decoded as {encoding}")
    raw, front = _strip_front_matter(raw) if path.suffix.lower() in (".md", ".markdown") else (raw, {})
    cleaned = clean_text(raw)
    if not cleaned.text.strip():
        return None, [Rejection(rel, "no article text left after removing page furniture")], warnings
    meta = {**front, **(manifest_row or {})}
    origin: dict[str, str] = {}

    def pick(key: str, inferred: str | None) -> str | None:
        if meta.get(key):
            origin[key] = "manifest" if manifest_row and key in manifest_row else "front matter"
            return meta[key]
        if inferred:
            origin[key] = "text"
            return inferred
        return None

    published = None
    raw_date = pick("published", None) or meta.get("date")
    if raw_date:
        published, warn = parse_published(raw_date, where=rel, today=today)
        if warn:
            warnings.append(warn)
    if published is None and cleaned.published:
        published = cleaned.published
        origin["published"] = "text"
    outlet = pick("outlet", cleaned.outlet) or meta.get("source")
    url = pick("url", cleaned.url)
    if url and not re.match(r"^https?://", url, re.IGNORECASE):
        warnings.append(f"{rel}: URL {url!r} is not http(s); dropped")
        url = None
    language = meta.get("language") or detect_language(cleaned.text)
    doc = Document(
        doc_id=path.relative_to(root).with_suffix("").as_posix(),
        source=outlet or _outlet_from_url(url) or "Unknown outlet",
        text=cleaned.text,
        path=rel,
        published=published,
        language=language,
        title=pick("title", cleaned.title),
        author=pick("author", cleaned.author),
        url=url,
        country=meta.get("country"),
        outlet_type=meta.get("outlet_type"),
        sha256=sha256_bytes(data),
        metadata_origin=origin,
        removed_lines=len(cleaned.removed),
    )
    return doc, [], warnings


def _outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    m = re.match(r"^https?://(?:www\.)?([^/:]+)", url, re.IGNORECASE)
    return m.group(1).lower() if m else None


def load_corpus(root: Path | str | None = None, *, today: date | None = None) -> Corpus:
    """Load every usable article in a corpus folder.

    Args:
        root: The corpus folder; the seed corpus when omitted.
        today: Reference date for rejecting future dates (defaults to today).

    Raises:
        CorpusError: if the folder does not exist.
    """
    root = Path(root or config.DEFAULT_CORPUS)
    if not root.is_dir():
        raise CorpusError(f"{root}: corpus folder not found")
    manifest, rejected, warnings = read_manifest(root)
    docs: list[Document] = []
    seen: dict[str, str] = {}
    for path in _iter_files(root, rejected):
        rel = path.relative_to(root).as_posix()
        try:
            doc, rej, warn = load_file(path, root=root, manifest_row=manifest.get(rel), today=today)
        except OSError as exc:
            rejected.append(Rejection(rel, f"cannot read: {exc.strerror or exc}"))
            continue
        rejected.extend(rej)
        warnings.extend(warn)
        if doc is None:
            continue
        key = sha256_bytes(doc.text.encode("utf-8"))
        if key in seen:
            rejected.append(Rejection(rel, f"exact duplicate of {seen[key]}; dropped"))
            continue
        seen[key] = rel
        docs.append(doc)
    for w in warnings:
        log.warning(w)
    for r in rejected:
        log.warning("rejected %s: %s", r.path, r.reason)
    return Corpus(root=root, documents=docs, rejected=rejected, warnings=warnings)


def corpus_hash(root: Path) -> str:
    """A SHA-256 over every file's relative path and bytes, in sorted order."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.is_symlink() or not p.is_file():
                continue
            h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
            h.update(sha256_bytes(p.read_bytes()).encode("ascii"))
    return h.hexdigest()
