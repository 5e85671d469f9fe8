"""Decode the bytes of an input file, or say why they are not text."""

from __future__ import annotations

import codecs

_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of some bytes from their magic number, or None."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode bytes of an article file, returning the text and the encoding used.

    UTF-8 (with or without BOM) and UTF-16 with BOM are tried first, then cp1252 and
    latin-1 for legacy files. A few stray NUL bytes are left for the cleaner to drop;
    many of them, or many control bytes, mean the file is binary.

    Raises:
        ValueError: if the bytes look binary rather than text, or a BOM lies about them.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise ValueError(f"invalid UTF-8 after a UTF-8 byte-order mark (byte {exc.start + 3})") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ValueError("invalid UTF-16 after a UTF-16 byte-order mark") from None
    kind = sniff_binary(data)
    if kind:
        raise ValueError(f"binary content ({kind}) in a text file")
    sample = data[:65536]
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
