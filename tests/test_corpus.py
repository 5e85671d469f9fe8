"""Loading corpora: formats, metadata, ids, validation, duplicates and outputs."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analysis import config
from analysis.corpus import (
    FRAME_COLUMNS,
    Corpus,
    CorpusError,
    Document,
    Rejection,
    corpus_hash,
    count_words,
    language_mix,
    load_corpus,
    parse_published,
    write_rejected,
)

TODAY = date(2025, 12, 31)
# Real sentences from the seed articles, reused as article bodies.
BODY_A = (
    "China lowered its tariff on U.S. goods from 125% to 10%, while the U.S. cut its tariff on Chinese "
    "imports from 145% to 30%. U.S. Treasury Secretary Scott Bessent stated that both sides agreed they do "
    "not want to decouple economically. Bessent added that a process has now been established between the "
    "two countries, emphasising the creation of a mechanism for ongoing dialogue and negotiation."
)
BODY_B = (
    "The fragile truce in the US-China trade war has crumbled, revealing a deep chasm of misunderstanding "
    "between the world's two most powerful economies. President Trump expressed shock at China's new controls "
    "on rare earth metals and related products, claiming he was blindsided after months of what he perceived "
    "as a very good relationship."
)
BODY_C = (
    "US Secretary of State Marco Rubio had called off his first visit to Japan and South Korea in early July "
    "to focus on Middle East issues, Japanese media outlet Nikkei Asia reported. In response, Seoul's Foreign "
    "Ministry said that Rubio's visit to South Korea appears to be difficult to arrange in the near future."
)
# An invented article of the same kind, for near-duplicate tests (wire copy).
WIRE = (
    "Beijing announced on Thursday that exports of seven rare earth elements and magnets would need licences "
    "from the Commerce Ministry, a move analysts said gives China leverage in its trade dispute with "
    "Washington. The ministry said the controls protect national security and would be applied case by case, "
    "and that legitimate civilian trade would continue. Carmakers in Japan and South Korea said they were "
    "studying the rules and held enough magnets for several weeks of production, while American defence "
    "contractors warned that supplies of samarium could run short by the summer if licences are delayed."
)


def write(root: Path, name: str, content: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def reasons(corpus: Corpus) -> dict[str, str]:
    return {r.path: r.reason for r in corpus.rejected}


# ------------------------------------------------------------------------------------- seed corpus


def test_seed_corpus_loads_unchanged() -> None:
    corpus = load_corpus()
    df = corpus.to_frame()
    assert list(df["source"]) == [
        "Toutiao", "Washington Examiner (attributed)", "TradingKey", "Global Times", "The New York Times",
    ]
    assert corpus.rejected == []
    assert list(df.columns[:7]) == ["doc_id", "source", "published", "language", "words", "path", "text"]
    assert list(df["published"]) == ["2025-04-23", "2025-03-31", "2025-05-12", "2025-07-09", "2025-10-11"]
    assert set(df["language"]) == {"en"}


def test_seed_mixed_language_segment_is_counted() -> None:
    df = load_corpus().to_frame().set_index("doc_id")
    assert df.loc["000_fc701a56f619515d", "segments_non_english"] == 1
    assert df.loc["000_fc701a56f619515d", "languages"] == "en,zh"
    assert df.loc["004_0d6ecf79f942dfcc", "segments_non_english"] == 0


# ------------------------------------------------------------------------------------------ formats


def test_txt_and_markdown_with_front_matter(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", BODY_A)
    write(tmp_path, "sub dir/b.md", (
        "---\ntitle: The truce crumbles\noutlet: Example Daily\ndate: 2025-10-11\nurl: https://example.com/b\n"
        "author: [Jane Roe, John Doe]\nlanguage: en\ncategory: analysis\n---\n\n"
        "The fragile truce in the **US-China** trade war has [crumbled](https://example.com/x), revealing a\n"
        "deep chasm of misunderstanding between the world's two most powerful economies. President Trump\n"
        "expressed shock at China's new controls on rare earth metals.\n"
    ))
    df = load_corpus(tmp_path, today=TODAY).to_frame().set_index("doc_id")
    assert list(df.index) == ["a", "sub dir/b"]
    b = df.loc["sub dir/b"]
    assert (b.source, b.published, b.title, b.author, b.url, b.category) == (
        "Example Daily", "2025-10-11", "The truce crumbles", "Jane Roe, John Doe", "https://example.com/b",
        "analysis",
    )
    assert b.text.startswith("The fragile truce in the US-China trade war has crumbled, revealing a deep chasm")
    assert "](" not in b.text and "**" not in b.text
    assert df.loc["a", "category"] == ""


def test_html_page_main_text_and_metadata(tmp_path: Path) -> None:
    page = f"""<html><head><title>Truce crumbles | Example News</title>
<meta name="author" content="Jane Roe"><meta property="article:published_time" content="2025-10-11T08:00:00Z">
<link rel="canonical" href="https://example.com/truce"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/login">Login</a></nav>
<article><h1>Truce crumbles</h1><p>{BODY_B}</p><p>{BODY_C}</p></article>
<footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>"""
    write(tmp_path, "page.html", page)
    doc = load_corpus(tmp_path, today=TODAY).documents[0]
    assert (doc.doc_id, doc.title, doc.author, doc.url, doc.published) == (
        "page", "Truce crumbles", "Jane Roe", "https://example.com/truce", date(2025, 10, 11))
    assert doc.text.startswith("The fragile truce")
    assert "Login" not in doc.text and "All rights reserved" not in doc.text


def test_html_is_never_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    write(tmp_path, "p.htm", f"<html><head><link rel='canonical' href='https://example.com/p'></head>"
                             f"<body><article><p>{BODY_A}</p><img src='https://example.com/i.png'></article></body></html>")
    assert load_corpus(tmp_path, today=TODAY).documents[0].url == "https://example.com/p"


def test_csv_rows_with_metadata_columns(tmp_path: Path) -> None:
    path = tmp_path / "articles.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "title", "source", "date", "url", "text", "category", "country", "outlet_type", "clicks"])
        w.writerow(["x1", "Tariffs cut", "TradingKey", "2025-05-12", "https://t.example/1", BODY_A, "markets", "",
                    "financial news", "10"])
        w.writerow(["x2", "Truce", "NYT", "2025-10-11", "", BODY_B, "analysis", "US", "newspaper", "3"])
    corpus = load_corpus(path, today=TODAY)
    df = corpus.to_frame().set_index("doc_id")
    assert list(df.index) == ["x1", "x2"]
    assert list(df["category"]) == ["markets", "analysis"]
    assert list(df["source"]) == ["TradingKey", "NYT"]
    assert df.loc["x2", "country"] == "US"
    assert "clicks" not in df.columns
    assert reasons(corpus) == {"articles.csv": "unknown columns ignored: clicks"}


def test_jsonl_rows_and_unknown_keys_warned_once(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "outlet": "Global Times", "date": "2025-07-09", "text": BODY_C, "category": "opinion",
         "source_repo": "x/y"},
        {"id": "b", "outlet": "NYT", "date": "2025-10-11", "text": BODY_B, "category": "news", "source_repo": "x/y"},
    ]
    path = write(tmp_path, "feed.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n\n")
    corpus = load_corpus(path, today=TODAY)
    assert [d.doc_id for d in corpus.documents] == ["a", "b"]
    assert [d.extra["category"] for d in corpus.documents] == ["opinion", "news"]
    assert [r.reason for r in corpus.rejected] == ["unknown columns ignored: source_repo"]


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["a", "b", "c"], ["a", "b", "c"]),
        (["a", "a", "c"], ["feed#1", "feed#2", "feed#3"]),
        (["a", "", "c"], ["feed#1", "feed#2", "feed#3"]),
        ([None, None, None], ["feed#1", "feed#2", "feed#3"]),
    ],
)
def test_row_ids_use_id_column_only_when_unique(tmp_path: Path, ids: list, expected: list[str]) -> None:
    bodies = [BODY_A, BODY_B, BODY_C]
    lines = [json.dumps({"text": t, **({"id": i} if i is not None else {})}) for i, t in zip(ids, bodies, strict=True)]
    write(tmp_path, "feed.jsonl", "\n".join(lines))
    corpus = load_corpus(tmp_path, today=TODAY)
    assert sorted(d.doc_id for d in corpus.documents) == expected


def test_bad_rows_are_reported_with_row_numbers(tmp_path: Path) -> None:
    lines = [json.dumps({"text": BODY_A}), "{not json", json.dumps(["a list"]), json.dumps({"title": "no text"}),
             json.dumps({"text": BODY_B})]
    write(tmp_path, "feed.jsonl", "\n".join(lines))
    corpus = load_corpus(tmp_path, today=TODAY)
    assert [d.doc_id for d in corpus.documents] == ["feed#1", "feed#5"]
    assert reasons(corpus) == {
        "feed.jsonl#2": "line 2 is not valid JSON (Expecting property name enclosed in double quotes)",
        "feed.jsonl#3": "line 3 is not a JSON object",
        "feed.jsonl#4": "row 4 has no text (no text column)",
    }


def test_csv_without_text_column_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "meta.csv", "title,date\nA,2025-01-01\n")
    write(tmp_path, "a.txt", BODY_A)
    assert reasons(load_corpus(tmp_path, today=TODAY))["meta.csv"] == (
        "CSV file has no text column (text, body or content)")


def test_markdown_text_in_jsonl_is_cleaned_to_anchor_text(tmp_path: Path) -> None:
    md = ("The Consumer Financial Protection Bureau (CFPB) — the\n[brainchild](https://example.com/a_(b))\n"
          "of Sen. Elizabeth Warren — has long functioned as another arm of the\nbureaucracy.\n\n"
          "-   **CFPB**\n    [**used**](https://example.com/c) **its** [**slush\n    fund**](https://x.com/s) to support"
          " groups.\n\n\\###\n")
    write(tmp_path, "wh.jsonl", json.dumps({"id": "1", "text": md}))
    doc = load_corpus(tmp_path, today=TODAY).documents[0]
    assert doc.text == (
        "The Consumer Financial Protection Bureau (CFPB) — the brainchild of Sen. Elizabeth Warren — has long "
        "functioned as another arm of the bureaucracy.\n\nCFPB used its slush fund to support groups."
    )


def test_manifest_overrides_and_reports_missing_files(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", BODY_A)
    write(tmp_path, "b.md", "---\noutlet: Front Matter Outlet\n---\n" + BODY_B)
    write(tmp_path, "manifest.csv", "file,outlet,published,category,notes\n"
                                    "a.txt,TradingKey,2025-05-12,markets,seed\n"
                                    "b.md,Manifest Outlet,,analysis,\n"
                                    "gone.txt,Nobody,2025-01-01,,\n"
                                    "../outside.txt,Nobody,,,\n")
    corpus = load_corpus(tmp_path, today=TODAY)
    df = corpus.to_frame().set_index("doc_id")
    assert list(df["source"]) == ["TradingKey", "Manifest Outlet"]
    assert list(df["category"]) == ["markets", "analysis"]
    assert corpus.documents[0].metadata_origin["source" if False else "outlet"] == "manifest"
    assert reasons(corpus) == {
        "manifest.csv:gone.txt": "manifest row names a missing file",
        "manifest.csv:../outside.txt": "row 4 names a file outside the corpus folder",
    }


def test_single_file_must_be_a_table(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"must be \.csv, \.jsonl or \.json"):
        load_corpus(write(tmp_path, "a.txt", BODY_A))
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "missing")


def test_unsupported_files_are_listed(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", BODY_A)
    write(tmp_path, "b.docx", b"PK\x03\x04")
    write(tmp_path, ".hidden.txt", BODY_B)
    assert reasons(load_corpus(tmp_path, today=TODAY)) == {"b.docx": "unsupported file type '.docx'"}


# -------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected", "problem"),
    [
        ("2025-04-10", date(2025, 4, 10), None),
        ("2025-02-10 12:05:00-05:00", date(2025, 2, 10), None),
        ("2025-04-10T08:00:00Z", date(2025, 4, 10), None),
        ("2025/04/10", date(2025, 4, 10), None),
        ("April 10, 2025", date(2025, 4, 10), None),
        ("10 April 2025", date(2025, 4, 10), None),
        ("Thu, 10 Apr 2025 08:00:00 +0000", date(2025, 4, 10), None),
        ("2025-02-30", None, "is not a real date"),
        ("2025-13-01", None, "is not a real date"),
        ("2031-01-01", None, "is in the future"),
        ("1850-06-01", None, "is before 1900"),
        ("last Tuesday", None, "cannot be read as a date"),
    ],
)
def test_parse_published(value: str, expected: date | None, problem: str | None) -> None:
    when, warning = parse_published(value, where="x.txt", today=TODAY)
    assert when == expected
    assert (warning is None) if problem is None else (problem in warning and "article kept" in warning)


def test_bad_dates_drop_the_value_not_the_article(tmp_path: Path) -> None:
    rows = [{"id": "ok", "date": "2025-05-12", "text": BODY_A}, {"id": "feb30", "date": "2025-02-30", "text": BODY_B},
            {"id": "future", "date": "2099-01-01", "text": BODY_C}]
    write(tmp_path, "f.jsonl", "\n".join(json.dumps(r) for r in rows))
    corpus = load_corpus(tmp_path, today=TODAY)
    df = corpus.to_frame().set_index("doc_id")
    assert dict(df["published"]) == {"feb30": "", "future": "", "ok": "2025-05-12"}
    assert reasons(corpus) == {
        "f.jsonl#2": "published '2025-02-30' is not a real date; value dropped, article kept",
        "f.jsonl#3": "published '2099-01-01' is in the future; value dropped, article kept",
    }


def test_non_http_url_is_dropped(tmp_path: Path) -> None:
    write(tmp_path, "f.jsonl", json.dumps({"text": BODY_A, "url": "javascript:alert(1)"}))
    corpus = load_corpus(tmp_path, today=TODAY)
    assert corpus.documents[0].url is None
    assert "not an http(s) address; value dropped" in corpus.rejected[0].reason


# ---------------------------------------------------------------------------------------- duplicates


def test_exact_duplicate_dropped_naming_the_kept_copy(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", BODY_A)
    write(tmp_path, "b.txt", BODY_A + "\n")
    write(tmp_path, "c.txt", BODY_B)
    corpus = load_corpus(tmp_path, today=TODAY)
    assert [d.doc_id for d in corpus.documents] == ["a", "c"]
    assert reasons(corpus) == {"b.txt": "exact duplicate of a.txt; dropped"}


def test_syndicated_wire_copy_is_kept_and_marked(tmp_path: Path) -> None:
    write(tmp_path, "reuters.md", "---\noutlet: Reuters\ndate: 2025-04-04\n---\n" + WIRE)
    write(tmp_path, "paper.md", "---\noutlet: Daily Paper\ndate: 2025-04-05\n---\n"
          + WIRE.replace("on Thursday", "on Thursday (April 3)") + " Reporting by staff; editing by the desk.")
    write(tmp_path, "other.txt", BODY_C)
    corpus = load_corpus(tmp_path, today=TODAY)
    df = corpus.to_frame().set_index("doc_id")
    assert df.loc["paper", "near_duplicate_of"] == "reuters"
    assert pd.isna(df.loc["reuters", "near_duplicate_of"]) and pd.isna(df.loc["other", "near_duplicate_of"])
    assert df.loc["paper", "near_duplicate_similarity"] >= 0.8
    assert len(df) == 3
    assert reasons(corpus)["paper.md"].startswith("near-duplicate of reuters (similarity ")
    assert reasons(corpus)["paper.md"].endswith("; kept and marked")


def test_near_duplicate_check_can_be_turned_off(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", WIRE)
    write(tmp_path, "b.txt", WIRE + " Editing by the desk.")
    corpus = load_corpus(tmp_path, today=TODAY, near_duplicate_threshold=None)
    assert [d.near_duplicate_of for d in corpus.documents] == [None, None]


def test_doc_ids_unique_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", BODY_A)
    write(tmp_path, "t.jsonl", json.dumps({"id": "a", "text": BODY_B}))
    corpus = load_corpus(tmp_path, today=TODAY)
    assert sorted(d.doc_id for d in corpus.documents) == ["a", "t.jsonl#1"]
    assert "already used by another input" in reasons(corpus)["t.jsonl#1"]


# ------------------------------------------------------------------------------------------ outputs


def test_write_rejected_neutralises_formulas(tmp_path: Path) -> None:
    corpus = Corpus(root=tmp_path, documents=[], rejected=[
        Rejection("=HYPERLINK(\"http://evil\")", "empty or whitespace-only file"),
        Rejection("ok.txt", "-2 problems"),
        Rejection("名前 with space.txt", "@SUM(A1)"),
    ])
    out = write_rejected(corpus, tmp_path / "out" / "rejected.csv")
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert rows == [
        ["path", "reason"],
        ["'=HYPERLINK(\"http://evil\")", "empty or whitespace-only file"],
        ["ok.txt", "'-2 problems"],
        ["名前 with space.txt", "'@SUM(A1)"],
    ]


def test_language_mix(tmp_path: Path) -> None:
    write(tmp_path, "en.txt", BODY_A)
    write(tmp_path, "fr.txt", "Le gouvernement chinois a annoncé de nouvelles restrictions sur les exportations "
                              "de terres rares vers les États-Unis, selon le ministère du Commerce à Pékin.")
    write(tmp_path, "zh.txt", "中国商务部宣布对稀土出口实施新的管制措施。美国政府表示将作出回应。")
    mix = language_mix(load_corpus(tmp_path, today=TODAY))
    assert list(mix.columns) == ["language", "documents", "words"]
    assert dict(zip(mix["language"], mix["documents"], strict=True)) == {"en": 1, "fr": 1, "zh": 1}
    assert mix["words"].tolist() == sorted(mix["words"], reverse=True)


def test_to_frame_of_empty_corpus_has_columns(tmp_path: Path) -> None:
    df = Corpus(root=tmp_path, documents=[]).to_frame()
    assert list(df.columns) == list(FRAME_COLUMNS)


def test_document_words_and_count_words() -> None:
    assert count_words("Tariffs rose 25% on 2.5 million cars; 关税") == 9
    assert Document(doc_id="x", source="s", text="One two three.", path="x.txt").words == 3


def _snapshot(root: Path) -> dict[str, tuple[int, str]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


def test_inputs_are_never_written(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", BODY_A)
    write(tmp_path, "b.md", "---\ntitle: T\n---\n" + BODY_B)
    write(tmp_path, "c.html", f"<html><body><article><p>{BODY_C}</p></article></body></html>")
    write(tmp_path, "d.jsonl", json.dumps({"text": WIRE}))
    write(tmp_path, "e.csv", "text\n\"" + BODY_A.replace('"', '""') + " More.\"\n")
    write(tmp_path, "manifest.csv", "file,outlet\na.txt,X\n")
    before = _snapshot(tmp_path)
    hash_before = corpus_hash(tmp_path)
    load_corpus(tmp_path, today=TODAY)
    assert _snapshot(tmp_path) == before
    assert corpus_hash(tmp_path) == hash_before


# ------------------------------------------------------------------------------- real scale corpus

WH = config.PROJECT_ROOT.parent / "shared" / "corpora" / "whitehouse_briefing_room_2024_2025.jsonl"


@pytest.mark.skipif(not WH.is_file(), reason="shared corpora not available")
def test_white_house_jsonl_loads_as_it_is() -> None:
    import time

    start = time.process_time()
    corpus = load_corpus(WH)
    elapsed = time.process_time() - start
    df = corpus.to_frame()
    exact = [r for r in corpus.rejected if "exact duplicate of" in r.reason]
    empty = [r for r in corpus.rejected if r.reason == "no article text left after removing page furniture"]
    # Every one of the 4,555 records is a document, an exact duplicate of one, or an image-only post.
    assert len(df) + len(exact) + len(empty) == 4555
    assert len(df) > 4400 and len(empty) <= 5
    assert "category" in df.columns and df["category"].nunique() >= 12
    assert (df["source"] == "The White House (whitehouse.gov Briefing Room)").all()
    assert not df["text"].str.contains(r"\]\(https?://", regex=True).any()
    assert df["published"].str.match(r"^202[45]-\d\d-\d\d$").all()
    assert elapsed < 120, f"took {elapsed:.0f} s of CPU"
    unknown = [r for r in corpus.rejected if r.reason.startswith("unknown columns ignored")]
    assert len(unknown) == 1


def test_corpus_hash_changes_with_content(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", BODY_A)
    h1 = corpus_hash(tmp_path)
    os.utime(tmp_path / "a.txt", (0, 0))
    assert corpus_hash(tmp_path) == h1
    write(tmp_path, "a.txt", BODY_B)
    assert corpus_hash(tmp_path) != h1
