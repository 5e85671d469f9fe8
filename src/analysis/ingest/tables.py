"""Stream article records out of CSV, JSON Lines and JSON files.

Each file's format is recognised from its fields (:func:`analysis.ingest.formats.detect_format`)
and announced first with a :class:`ReadInfo`; then come its records and skipped rows.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from analysis.ingest.encoding import decode_bytes, sniff_binary
from analysis.ingest.fields import (
    FieldMap,
    Record,
    Skipped,
    normalise_key,
    pick_fields,
    scalar_text,
)
from analysis.ingest.formats import (
    GET_TEXT_HINT,
    PROJECT,
    ExportFormat,
    clean_field_text,
    detect_format,
    flatten,
    format_fieldmap,
)
from analysis.ingest.markdown import looks_like_markdown, markdown_to_text
from analysis.ingest.safe_io import InputRejected, open_binary, read_bytes

TABLE_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".json")
_CHUNK = 1 << 20
_SNIFF_ROWS = 20


class MetadataOnly(InputRejected):
    """An export of article metadata (titles, links, dates) without the article texts."""


@dataclass
class ReadInfo:
    """How one file was read: its format, container and notable details (separator, encoding)."""

    path: str
    fmt: ExportFormat
    container: str
    details: list[str] = field(default_factory=list)


def metadata_only_message(fmt: ExportFormat, container: str, columns: Iterable[str]) -> str:
    """Why a file of links and metadata cannot be analysed, and how to get the texts."""
    shown = ", ".join(list(columns)[:12])
    what = f"{fmt.label} {container}" if fmt is not PROJECT else f"a {container} of links"
    return (f"{what} holds article metadata ({shown}) but no article text; {GET_TEXT_HINT}")


def _body(text: str) -> str:
    return markdown_to_text(text) if looks_like_markdown(text) else text


def _record(rel: str, n: int, row: dict[str, object], fmap: FieldMap, *, max_bytes: int, fmt: ExportFormat,
            single: bool = False) -> Record | Skipped:
    where = rel if single else f"{rel}#{n}"
    what = "record" if single else f"row {n}"
    cols = fmap.core.get("text", [])
    found = next(((c, v) for c, v in ((c, scalar_text(row.get(c))) for c in cols) if v), None)
    if found is None:
        return Skipped(where, f"{what} has no text" + ("" if cols else " (no text column)"))
    text_col, raw = found
    size = len(raw.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        return Skipped(where, f"{what} text is {size:,} bytes, over the {max_bytes:,}-byte limit")
    used: dict[str, str] = {"text": text_col}
    meta, extra = pick_fields(row, fmap, used=used)
    cleaned = clean_field_text(raw)
    if "title" in meta:
        meta["title"] = clean_field_text(meta["title"]).text
    return Record(
        path=where, text=_body(cleaned.text), meta=meta, extra=extra, origin="table", kind="body",
        row=None if single else n, fmt=fmt.key, columns=used, changes=cleaned.changes,
        sha256=hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest(),
    )


def _ignored_note(rel: str, ignored: Iterable[str]) -> Skipped | None:
    names = sorted(set(ignored))
    if not names:
        return None
    shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
    return Skipped(rel, f"unknown columns ignored: {shown}")


def iter_jsonl(path: Path, *, rel: str, max_bytes: int, keep: Iterable[str] = ()) -> Iterator[Record | Skipped]:
    """Yield one record per line of a JSON Lines file, reading line by line.

    Lines that are blank are skipped; lines that are not a JSON object, have no text
    or are over ``max_bytes`` are yielded as :class:`Skipped`; unknown keys are
    reported once for the file, after its rows.

    Raises:
        InputRejected: if the file cannot be opened.
    """
    keep = tuple(keep)
    maps: dict[tuple[str, ...], FieldMap] = {}
    ignored: set[str] = set()
    fmt: ExportFormat | None = None
    with open_binary(path) as fh:
        n = 0
        while True:
            try:
                line = fh.readline(max_bytes + 1)
            except OSError as exc:
                yield Skipped(rel, f"cannot read past line {n}: {exc.strerror or exc}")
                break
            if not line:
                break
            n += 1
            if len(line) > max_bytes and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # skip the rest of an over-long line
                    line = fh.readline(_CHUNK)
                yield Skipped(f"{rel}#{n}", f"line {n} is over the {max_bytes:,}-byte limit")
                continue
            if n == 1:
                if sniff_binary(line):
                    yield Skipped(rel, f"binary content ({sniff_binary(line)}) in a JSON Lines file")
                    return
                line = line.removeprefix(codecs.BOM_UTF8)
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8")
                note = None
            except UnicodeDecodeError:
                text = line.decode("cp1252", errors="replace")
                note = f"line {n} is not UTF-8; decoded as cp1252"
            try:
                row = json.loads(text)
            except (json.JSONDecodeError, RecursionError) as exc:
                msg = getattr(exc, "msg", "too deeply nested")
                yield Skipped(f"{rel}#{n}", f"line {n} is not valid JSON ({msg})")
                continue
            if not isinstance(row, dict):
                yield Skipped(f"{rel}#{n}", f"line {n} is not a JSON object")
                continue
            row = flatten(row)
            keys = tuple(str(k) for k in row)
            if fmt is None:
                fmt = detect_format(keys)
                if fmt.metadata_only:
                    raise MetadataOnly(metadata_only_message(fmt, "JSON Lines file", keys))
                yield ReadInfo(rel, fmt, "JSON Lines file")
            fmap = maps.get(keys)
            if fmap is None:
                fmap = maps[keys] = format_fieldmap(fmt, keys, keep=keep)
                ignored.update(fmap.ignored)
            rec = _record(rel, n, row, fmap, max_bytes=max_bytes, fmt=fmt)
            if note and isinstance(rec, Record):
                rec.notes.append(note)
            yield rec
    note = _ignored_note(rel, ignored)
    if note:
        yield note


def _csv_encoding(path: Path) -> tuple[str, str | None]:
    """Choose the encoding of a CSV file by reading it through once."""
    with open_binary(path) as fh:
        head = fh.read(65536)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig", None
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", None
        kind = sniff_binary(head)
        if kind:
            raise InputRejected(f"binary content ({kind}) in a CSV file")
        if head.count(b"\x00") > max(1, len(head) // 100):
            raise InputRejected("binary content (NUL bytes) in a CSV file")
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = head
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = fh.read(_CHUNK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
            if controls > max(2, len(head) // 50):
                raise InputRejected("binary content (control bytes) in a CSV file") from None
            return "cp1252", "not UTF-8; decoded as cp1252"
    return "utf-8", None


@contextlib.contextmanager
def _field_limit(limit: int):
    old = csv.field_size_limit()
    csv.field_size_limit(max(limit, old))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def iter_csv(path: Path, *, rel: str, max_bytes: int, keep: Iterable[str] = ()) -> Iterator[Record | Skipped]:
    """Yield one record per data row of a CSV file (comma, semicolon or tab separated).

    Raises:
        InputRejected: if the file cannot be opened, is binary, or has no header row.
    """
    encoding, note = _csv_encoding(path)
    if note:
        yield Skipped(rel, note)
    with open_binary(path) as fb, _field_limit(max_bytes):
        fh = io.TextIOWrapper(fb, encoding=encoding, errors="replace" if encoding == "cp1252" else "strict",
                              newline="")
        first = fh.readline()
        if not first.strip():
            raise InputRejected("CSV file has no header row")
        delimiter = max((",", ";", "\t"), key=first.count)
        header_rows = list(csv.reader([first], delimiter=delimiter))
        header = [h.strip() for h in header_rows[0]] if header_rows else []
        seen: set[str] = set()
        columns: list[str | None] = []
        duplicated: list[str] = []
        for h in header:
            key = normalise_key(h)
            if key in seen:
                duplicated.append(h)
                columns.append(None)
            else:
                seen.add(key)
                columns.append(h)
        present = [c for c in columns if c is not None]
        fmt = detect_format(present)
        fmap = format_fieldmap(fmt, present, keep=keep)
        if "text" not in fmap.core:
            if fmt is not PROJECT or "url" in fmap.core:
                raise MetadataOnly(metadata_only_message(fmt, "CSV", present))
            raise InputRejected("CSV file has no text column (text, body or content)")
        details = [] if delimiter == "," else [{";": "';'-separated", "\t": "tab-separated"}[delimiter]]
        if encoding == "utf-8-sig":
            details.append("UTF-8 with BOM")
        elif encoding != "utf-8":
            details.append(encoding)
        if first.endswith("\r\n"):
            details.append("CRLF line ends")
        yield ReadInfo(rel, fmt, "CSV", details)
        reader = csv.reader(fh, delimiter=delimiter)
        n = 0
        ragged = 0
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                n += 1
                if len(cells) > len(columns):
                    ragged += 1
                row = {c: v for c, v in zip(columns, cells, strict=False) if c is not None}
                yield _record(rel, n, row, fmap, max_bytes=max_bytes, fmt=fmt)
        except (csv.Error, UnicodeDecodeError) as exc:
            yield Skipped(f"{rel}#{n + 1}", f"row {n + 1} cannot be parsed ({exc}); rest of the file not read")
    if ragged:
        yield Skipped(rel, f"{ragged} rows have more cells than the header; extra cells ignored")
    skipped = _ignored_note(rel, fmap.ignored + [f"{d} (duplicate)" for d in duplicated])
    if skipped:
        yield skipped


def iter_json(path: Path, *, rel: str, max_bytes: int, keep: Iterable[str] = ()) -> Iterator[Record | Skipped | ReadInfo]:
    """Yield the records of a ``.json`` file, read whole (up to ``max_bytes``).

    The file holds one article (news-please, trafilatura), an array of articles, or an
    API response with an ``articles`` array (NewsAPI, GDELT DOC API).

    Raises:
        InputRejected: if the file is not JSON, holds no article object, or is too large.
        MetadataOnly: if it is an export without article text (GDELT artlist).
    """
    try:
        data = read_bytes(path, max_bytes=max_bytes)
    except InputRejected as exc:
        if "limit" in str(exc):
            raise InputRejected(f"{exc}; save large exports as JSON Lines (one article per line)") from None
        raise
    if not data.strip():
        raise InputRejected("empty or whitespace-only file")
    try:
        text, _ = decode_bytes(data)
        doc = json.loads(text)
    except ValueError as exc:
        raise InputRejected(f"not valid JSON ({getattr(exc, 'msg', exc)})") from None
    except RecursionError:
        raise InputRejected("not valid JSON (too deeply nested)") from None
    if isinstance(doc, dict) and doc.get("status") == "error" and "articles" not in doc:
        raise InputRejected(f"an API error response, not articles: {scalar_text(doc.get('message')) or ''}")
    single = isinstance(doc, dict) and not isinstance(doc.get("articles"), list)
    if isinstance(doc, dict) and isinstance(doc.get("articles"), list):
        items, container = doc["articles"], "response (JSON)"
    elif isinstance(doc, list):
        items, container = doc, "JSON array"
    elif isinstance(doc, dict):
        items, container = [doc], "JSON file"
    else:
        raise InputRejected("JSON file holds neither an article object nor an array of them")
    rows = [flatten(it) if isinstance(it, dict) else None for it in items]
    sample: dict[str, None] = {}
    for r in rows[:_SNIFF_ROWS]:
        sample.update(dict.fromkeys(r or {}))
    if not sample:
        raise InputRejected("JSON file holds no article object")
    fmt = detect_format(sample)
    if fmt.metadata_only:
        raise MetadataOnly(metadata_only_message(fmt, "JSON file", sample))
    yield ReadInfo(rel, fmt, container)
    maps: dict[tuple[str, ...], FieldMap] = {}
    ignored: set[str] = set()
    for n, row in enumerate(rows, start=1):
        if row is None:
            yield Skipped(f"{rel}#{n}", f"item {n} is not a JSON object")
            continue
        keys = tuple(row)
        fmap = maps.get(keys)
        if fmap is None:
            fmap = maps[keys] = format_fieldmap(fmt, keys, keep=keep)
            ignored.update(fmap.ignored)
        yield _record(rel, n, row, fmap, max_bytes=max_bytes, fmt=fmt, single=single)
    note = _ignored_note(rel, ignored)
    if note:
        yield note
