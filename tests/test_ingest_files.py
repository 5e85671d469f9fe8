"""Validation of input files: encodings, binary and empty files, size limit, symlinks, permissions, names."""

from __future__ import annotations

import codecs
import os
from datetime import date
from pathlib import Path

import pytest

from analysis.corpus import decode_bytes, load_corpus
from analysis.ingest import safe_io

TODAY = date(2025, 12, 31)
BODY = ("Japan and South Korea will import semiconductor raw materials from China and Beijing will secure chip "
        "products from Japan and South Korea, according to a social media account affiliated with CCTV.")
ACCENTED = ("Le ministre a déclaré que les négociations reprendraient après l’été, selon le communiqué publié à "
            "Pékin par le ministère du Commerce.")


def reasons(root: Path) -> dict[str, str]:
    return {r.path: r.reason for r in load_corpus(root, today=TODAY).rejected}


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (BODY.encode("utf-8"), BODY, "utf-8"),
        (codecs.BOM_UTF8 + "Café – “tariffs”".encode(), "Café – “tariffs”", "utf-8-sig"),
        ("Café – “tariffs”".encode("utf-16"), "Café – “tariffs”", "utf-16"),
        (codecs.BOM_UTF16_BE + "Café".encode("utf-16-be"), "Café", "utf-16"),
        ("Café – “tariffs”".encode("cp1252"), "Café – “tariffs”", "cp1252"),
        (b"caf\xe9 \x81", "café \x81", "latin-1"),
    ],
)
def test_decode_bytes(data: bytes, text: str, encoding: str) -> None:
    assert decode_bytes(data) == (text, encoding)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "binary content (a PDF document)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary content (a PNG image)"),
        (b"abc\x00" * 100, "binary content (NUL bytes)"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x0e\x0f\x10\xff" * 20, "binary content (control bytes)"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfa", "invalid UTF-8 after a UTF-8 byte-order mark"),
        (codecs.BOM_UTF16_LE + b"a", "invalid UTF-16 after a UTF-16 byte-order mark"),
    ],
)
def test_decode_bytes_rejects_binary(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode_bytes(data)


@pytest.mark.parametrize(
    ("name", "data", "expected_text", "note"),
    [
        ("utf8.txt", ACCENTED.encode("utf-8"), ACCENTED, None),
        ("bom.txt", codecs.BOM_UTF8 + ACCENTED.encode("utf-8"), ACCENTED, None),
        ("utf16.txt", ACCENTED.encode("utf-16"), ACCENTED, None),
        ("legacy.txt", ACCENTED.encode("cp1252"), ACCENTED, "not UTF-8; decoded as cp1252"),
        ("nul.txt", BODY.encode("utf-8").replace(b"CCTV", b"CC\x00TV"), BODY, "1 NUL byte(s) removed"),
    ],
)
def test_encodings_are_read_or_noted(tmp_path: Path, name: str, data: bytes, expected_text: str,
                                     note: str | None) -> None:
    (tmp_path / name).write_bytes(data)
    corpus = load_corpus(tmp_path, today=TODAY)
    assert [d.text for d in corpus.documents] == [expected_text]
    assert [r.reason for r in corpus.rejected] == ([note] if note else [])


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty or whitespace-only file"),
        ("blank.md", b" \n\t\r\n  ", "empty or whitespace-only file"),
        ("blank16.txt", "   \n ".encode("utf-16"), "empty or whitespace-only file"),
        ("scan.txt", b"%PDF-1.4\n" + bytes(range(256)), "binary content (a PDF document) in a text file"),
        ("photo.md", b"\xff\xd8\xff\xe0" + bytes(200), "binary content (a JPEG image) in a text file"),
        ("zeros.txt", bytes(5000), "binary content (NUL bytes) in a text file"),
        ("page.html", b"<html><body><nav>Home</nav></body></html>",
         "no article text left after removing page furniture"),
        ("img.html", b"<html><body><img src='a.png'></body></html>", "no article text found in the HTML page"),
        ("furniture.txt", b"Home | World | Login\nSubscribe\n", "no article text left after removing page furniture"),
    ],
)
def test_unusable_files_rejected_with_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    (tmp_path / "ok.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / name).write_bytes(data)
    assert reasons(tmp_path) == {name: reason}


def test_size_limit(tmp_path: Path) -> None:
    (tmp_path / "small.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "big.txt").write_text(BODY + " " + BODY, encoding="utf-8")
    corpus = load_corpus(tmp_path, today=TODAY, max_bytes=len(BODY) + 10)
    assert [d.doc_id for d in corpus.documents] == ["small"]
    assert {r.path: r.reason for r in corpus.rejected} == {
        "big.txt": f"file is {2 * len(BODY) + 1:,} bytes, over the {len(BODY) + 10:,}-byte limit"}


def test_size_limit_applies_to_table_rows(tmp_path: Path) -> None:
    import json

    (tmp_path / "t.jsonl").write_text(json.dumps({"text": BODY}) + "\n" + json.dumps({"text": BODY * 5}) + "\n"
                                      + json.dumps({"text": ACCENTED}), encoding="utf-8")
    corpus = load_corpus(tmp_path, today=TODAY, max_bytes=len(BODY) * 2)
    assert [d.doc_id for d in corpus.documents] == ["t#1", "t#3"]
    assert [r.path for r in corpus.rejected] == ["t.jsonl#2"]
    assert "over the" in corpus.rejected[0].reason


def test_symlink_outside_is_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET " + BODY, encoding="utf-8")
    (corpus_dir / "ok.txt").write_text(BODY.replace("China", "Beijing"), encoding="utf-8")
    (corpus_dir / "leak.txt").symlink_to(secret)
    (corpus_dir / "inner.txt").symlink_to(corpus_dir / "ok.txt")
    (corpus_dir / "dirlink").symlink_to(tmp_path, target_is_directory=True)
    opened: list[str] = []
    real_open = os.open

    def spy(path: object, *args: object, **kwargs: object) -> int:
        opened.append(os.fspath(path))  # type: ignore[arg-type]
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(safe_io.os, "open", spy)
    corpus = load_corpus(corpus_dir, today=TODAY)
    assert [d.doc_id for d in corpus.documents] == ["ok"]
    assert not any("SECRET" in d.text for d in corpus.documents)
    assert all(Path(p).resolve().is_relative_to(corpus_dir.resolve()) for p in opened)
    assert not any(p.endswith(("leak.txt", "inner.txt")) for p in opened)
    assert {r.path: r.reason for r in corpus.rejected} == {
        "dirlink": "symbolic link to a folder; not followed",
        "inner.txt": "symbolic link inside the corpus folder; not followed (its target is read directly)",
        "leak.txt": "symbolic link pointing outside the corpus folder; not followed",
    }


def test_symlinked_manifest_is_not_read(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "c"
    corpus_dir.mkdir()
    (tmp_path / "m.csv").write_text("file,outlet\nok.txt,Evil\n", encoding="utf-8")
    (corpus_dir / "manifest.csv").symlink_to(tmp_path / "m.csv")
    (corpus_dir / "ok.txt").write_text(BODY, encoding="utf-8")
    corpus = load_corpus(corpus_dir, today=TODAY)
    assert corpus.documents[0].source != "Evil"
    assert corpus.rejected[0].path == "manifest.csv"
    assert "symbolic link" in corpus.rejected[0].reason


def test_fifo_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "ok.txt").write_text(BODY, encoding="utf-8")
    assert reasons(tmp_path) == {"pipe.txt": "not a regular file (device, socket or pipe); not read"}


def test_unreadable_file_is_reported_not_crashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ok.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "locked.txt").write_text(BODY + " Locked.", encoding="utf-8")
    (tmp_path / "locked.txt").chmod(0)
    real_open = os.open

    def deny(path: object, *args: object, **kwargs: object) -> int:
        if os.fspath(path).endswith("locked.txt"):  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", os.fspath(path))  # type: ignore[arg-type]
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(safe_io.os, "open", deny)  # root can read mode-000 files, so deny explicitly
    assert reasons(tmp_path) == {"locked.txt": "cannot read: Permission denied"}


@pytest.mark.parametrize("name", ["with space.txt", "données économiques.md", "关税 新闻.txt", "x#1.txt"])
def test_file_names_with_spaces_and_non_ascii(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(BODY, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(f"file,outlet\n\"{name}\",Named Outlet\n", encoding="utf-8")
    corpus = load_corpus(tmp_path, today=TODAY)
    assert [(d.doc_id, d.source, d.path) for d in corpus.documents] == [
        (Path(name).with_suffix("").as_posix(), "Named Outlet", name)]
    assert corpus.rejected == []


def test_undecodable_file_name_is_reported_printably(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/bad\xff name.txt"
    with open(raw, "wb") as fh:
        fh.write(BODY.encode())
    corpus = load_corpus(tmp_path, today=TODAY)
    assert [d.path for d in corpus.documents] == ["bad\ufffd name.txt"]
    assert corpus.to_frame()["doc_id"].tolist() == ["bad\ufffd name"]
