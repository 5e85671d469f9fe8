"""Every corpus the loader accepts gets its reports: generated awkward corpora, end to end.

Each slow test runs the real command, ``python -m analysis report --formats html``, and
checks that it exits 0, that every planned report is written, that every section of a
report shows a chart, a table or the sentence saying why it has none, and that the names
of the sources appear exactly as the corpus gave them, escaped.

The corpora come from :mod:`tests.corpus_gen` (seeded), plus a 40-row slice of the White
House Briefing Room JSON Lines (``tests/fixtures/whitehouse_40.jsonl``: the first 40 rows
of ``../shared/corpora/whitehouse_briefing_room_2024_2025.jsonl`` that mention a tariff
and are under 6,000 characters, verbatim; CC0 / US government works), a single document,
and 300 outlets. One annotation cache is shared by all of them.
"""

from __future__ import annotations

import csv
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import corpus_gen

FIXTURES = Path(__file__).parent / "fixtures"
DATE = "2025-11-03"
GENERATED_SEEDS = range(15)
SECTION_CONTENT = re.compile(r"<script[^>]*type=\"application/vnd\.analysis|<table|class=[\"']"
                             r"(?:analysis-thin|conflict)[\"']")


def run_report(corpus: Path, out: Path, cache: Path, *extra: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """``python -m analysis report`` on a corpus, HTML only, quietly."""
    return subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--corpus", str(corpus), "--out", str(out), "--date", DATE,
         "--formats", "html", "--jobs", "2", "--quiet", "--cache-dir", str(cache), *extra],
        capture_output=True, text=True, timeout=timeout, check=False)


def sections(page: str) -> list[tuple[str, str]]:
    """The ``(heading, body)`` of every second-level section of a report page."""
    parts = re.split(r"<h2\b[^>]*>", page)[1:]
    out = []
    for part in parts:
        head, _, body = part.partition("</h2>")
        out.append((re.sub(r"<[^>]+>", "", head).replace("¶", "").strip(), body))
    return out


def thin_sentences(page: str) -> list[str]:
    return [html.unescape(s) for s in re.findall(r"class=['\"]analysis-thin['\"]>([^<]*)</p>", page)]


def check_run(out: Path, proc: subprocess.CompletedProcess, *, groups: list[str], english: list[str],
              dated: bool) -> dict:
    """Check a finished run against what its corpus holds; returns the run's reports.json."""
    assert proc.returncode == 0, proc.stderr[-4000:]
    run_dir = out / DATE
    plan = json.loads((run_dir / "reports.json").read_text(encoding="utf-8"))
    for r in plan["reports"]:
        assert (run_dir / r["html"]).stat().st_size > 0, r["html"]
    assert (run_dir / "index.html").is_file()
    assert sorted(g["group"] for g in plan["groups"]) == sorted(groups)
    pages = {r["name"]: (run_dir / r["html"]).read_text(encoding="utf-8") for r in plan["reports"]}
    pages["index"] = (run_dir / "index.html").read_text(encoding="utf-8")
    for name, page in pages.items():
        if name == "index":
            continue
        for head, body in sections(page):
            assert SECTION_CONTENT.search(body), f"{name}: section {head!r} shows nothing and says nothing"
    index = pages["index"]
    assert f"Every source of this run ({len(groups):,})" in index
    for g in groups:
        assert html.escape(g, quote=False) in index, g
    for page in pages.values():
        for g in groups:
            if "<" in g:
                assert g not in page, f"unescaped source name {g!r}"
    coverage = thin_sentences(pages["coverage"])
    if len(english) < 2:
        assert any(s.startswith("Distinctive terms") for s in coverage), coverage
        assert any(s.startswith("Similarity between sources") for s in coverage), coverage
    if not dated:
        assert "No document has a publication date, so there is no publication timeline." in coverage
    profiled = {r["title"].removeprefix("Source profile: "): r["name"]
                for r in plan["reports"] if r["name"].startswith("profile-")}
    for g, name in profiled.items():
        page = pages[name]
        assert f"<h2>{html.escape(g, quote=False)}</h2>" in page, g
        if g not in english:
            assert any(s.startswith(f"{g} has no English text") for s in thin_sentences(page)), g
    return plan


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e-cache")


# ---------------------------------------------------------------- the generator itself (fast)


def test_generator_is_seeded():
    a = corpus_gen.generate(3, Path("/nonexistent-never-written") / "x", write_files=False)
    b = corpus_gen.generate(3, Path("/nonexistent-never-written") / "x", write_files=False)
    assert [(d.doc_id, d.group, d.text) for d in a.docs] == [(d.doc_id, d.group, d.text) for d in b.docs]


def test_generated_corpora_cover_every_awkward_case():
    """The seeds run in CI, together, hold every case the issue lists."""
    specs = [corpus_gen.generate(s, Path("/nonexistent-never-written"), write_files=False) for s in GENERATED_SEEDS]
    docs = [d for s in specs for d in s.docs]
    assert {d.language for d in docs} == set(corpus_gen.LANGUAGES)
    assert {len(s.documents_per_group()) for s in specs} >= {1, 8}
    assert any(set(s.groups()) - set(s.english_groups()) for s in specs), "a group with no English text"
    assert any(len(s.english_groups()) < 2 for s in specs) and any(len(s.english_groups()) >= 3 for s in specs)
    names = {d.group for d in docs}
    assert any(n.startswith(("=", "+", "-", "@")) for n in names)
    assert any("<" in n for n in names) and any(len(n) == 200 for n in names)
    assert any(re.search(r"[\u4e00-\u9fff\uac00-\ud7af]", n) for n in names)
    assert any(re.search(r"[\U0001F300-\U0001FAFF]", n) for n in names)
    assert any(d.duplicate_of for d in docs)
    assert any(all(d.rejected for d in s.docs if d.group == g) for s in specs for g in {d.group for d in s.docs})
    assert any(". " not in d.text and "。" not in d.text[:-12] for d in docs if not d.rejected), "a one-line document"
    assert any('"' not in d.text and "«" not in d.text and "“" not in d.text and "「" not in d.text for d in docs)
    assert any(not re.search(r"\d+ ?(%|Prozent)", d.text) for d in docs if not d.rejected)
    assert {s.form for s in specs} == {"jsonl", "csv", "md"}


# ---------------------------------------------------------------- bad input says why (fast: no kernel starts)


def test_every_file_rejected_exits_2_with_the_reasons(tmp_path, cache):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(23):
        (corpus / f"empty-{i:02d}.txt").write_text("")
    (corpus / "binary.txt").write_bytes(b"\x00\x01" * 50)
    proc = run_report(corpus, tmp_path / "out", cache)
    assert proc.returncode == 2, proc.stderr
    shown = re.findall(r"^  rejected (\S+): (.+)$", proc.stderr, re.M)
    assert len(shown) == 20 and all(reason for _, reason in shown)
    assert "24 in all" in proc.stderr
    assert "A usable corpus is a folder of .txt, .md or .html articles" in proc.stderr
    failed = list((tmp_path / "out" / ".failed").glob(f"{DATE}-*"))
    assert len(failed) == 1
    with (failed[0] / "data" / "rejected.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 24 and {r["path"] for r in rows} >= {"binary.txt", "empty-00.txt"}


def test_unknown_group_by_lists_only_user_columns(tmp_path, cache):
    corpus = tmp_path / "c.csv"
    corpus.write_text("id,outlet,category,text\na,X,trade,Tariffs rose on steel imports this week.\n",
                      encoding="utf-8")
    proc = run_report(corpus, tmp_path / "out", cache, "--group-by", "colour")
    assert proc.returncode == 2, proc.stderr
    line = next(s for s in proc.stderr.splitlines() if "--group-by 'colour'" in s)
    choices = line.split("choose from ", 1)[1].split(", ")
    assert "source" in choices and "category" in choices
    assert not {"sha256", "removed_lines", "doc_id", "text", "near_duplicate_of", "segments_non_english"} & set(choices)


# ---------------------------------------------------------------- end to end (slow)


@pytest.mark.slow
@pytest.mark.parametrize("seed", GENERATED_SEEDS)
def test_generated_corpus_reports(seed, tmp_path, cache):
    spec = corpus_gen.generate(seed, tmp_path / "corpus")
    groups = spec.groups()
    profiles = "all" if len(groups) <= 3 else "2"
    proc = run_report(spec.path, tmp_path / "out", cache, "--profiles", profiles)
    plan = check_run(tmp_path / "out", proc, groups=groups, english=spec.english_groups(),
                     dated=any(d.published for d in spec.accepted()))
    n_profiles = sum(r["name"].startswith("profile-") for r in plan["reports"])
    assert n_profiles == (len(groups) if profiles == "all" else 2)


@pytest.mark.slow
def test_whitehouse_slice_with_the_default_grouping(tmp_path, cache):
    path = FIXTURES / "whitehouse_40.jsonl"
    proc = run_report(path, tmp_path / "out", cache)
    plan = check_run(tmp_path / "out", proc, groups=["The White House (whitehouse.gov Briefing Room)"],
                     english=["The White House (whitehouse.gov Briefing Room)"], dated=True)
    assert [r["name"] for r in plan["reports"]][:2] == ["coverage", "facts"]


@pytest.mark.slow
def test_single_document(tmp_path, cache):
    corpus = tmp_path / "one.csv"
    corpus.write_text('id,outlet,date,text\na1,Solo Post,2025-04-10,"Washington raised tariffs on Chinese goods to '
                      '145% on April 9, 2025. ""We will not back down,"" said a spokesperson."\n', encoding="utf-8")
    proc = run_report(corpus, tmp_path / "out", cache)
    check_run(tmp_path / "out", proc, groups=["Solo Post"], english=["Solo Post"], dated=True)


@pytest.mark.slow
def test_three_hundred_groups(tmp_path, cache):
    path = corpus_gen.many_groups(tmp_path / "corpus", groups=300)
    proc = run_report(path, tmp_path / "out", cache, "--profiles", "3")
    groups = [f"Outlet {g:03d}" for g in range(300)]
    plan = check_run(tmp_path / "out", proc, groups=groups, english=groups, dated=True)
    assert sum(r["name"].startswith("profile-") for r in plan["reports"]) == 3
    # The seven outlets with two documents are the ones profiled, largest first.
    assert [g["group"] for g in plan["groups"] if g["profile"]] == ["Outlet 000", "Outlet 007", "Outlet 014"]
    page = (tmp_path / "out" / DATE / "coverage.html").read_text(encoding="utf-8")
    assert "other (280 sources)" in page and "This run has 300 sources" in page
    assert page.count("<tr>") < 400  # tables are capped; charts fold: the page stays readable
    assert (tmp_path / "out" / DATE / "coverage.html").stat().st_size < 5_000_000
