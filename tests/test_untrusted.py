"""A mixed corpus: the seeds plus broken and hostile files.

The seed reports are still produced, every bad input is listed with its reason, raw
files are untouched, and article text never runs as code in a browser.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from analysis import cli, config, report

HOSTILE_MD = """---
title: "<script>alert('title')</script> Tariff news"
outlet: "Evil <img src=x onerror=alert('outlet')> News"
url: "javascript:alert('url')"
date: 2025-06-01
language: en
---
Washington raised tariffs on Chinese steel to 50 percent on Monday, officials said in a statement today.

<script>alert("body")</script> The move angered Beijing, which promised to respond in kind <img src=x onerror=alert('img')>.

“<script>alert('quote')</script> We will respond to every provocation,” said John Smith, a professor at Harvard University.

=HYPERLINK("http://example.invalid","click") was printed in the article as a formula.
"""

CP1252_TEXT = ("Seoul’s trade minister said on Tuesday that South Korea would seek an exemption from the "
               "new 25% tariffs on cars — “we will negotiate,” he said — as exporters braced for losses.\n")

BAD_FILES = {
    "empty.txt": "empty or whitespace-only",
    "binary.txt": "binary",
    "copy of 002.txt": "duplicate",
    "missing.txt": "missing file",
    "escape-link.txt": "symbolic link",
}


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("mixed")
    for p in config.RAW_DIR.glob("*.txt"):
        shutil.copy(p, corpus / p.name)
    manifest = (config.RAW_DIR / "manifest.csv").read_text(encoding="utf-8")
    manifest += "missing.txt,Ghost Outlet,2025-01-01,,,en,,,a row naming a file that does not exist\n"
    (corpus / "manifest.csv").write_text(manifest, encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"  \n\n ")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    shutil.copy(next(config.RAW_DIR.glob("002_*.txt")), corpus / "copy of 002.txt")
    (corpus / "hostile.md").write_text(HOSTILE_MD, encoding="utf-8")
    (corpus / "séoul café.txt").write_bytes(CP1252_TEXT.encode("cp1252"))
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("A secret outside the corpus that must never be read by the loader at all.\n")
    os.symlink(outside, corpus / "escape-link.txt")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in corpus.iterdir() if not p.is_symlink()}
    out = tmp_path_factory.mktemp("out")
    proc = subprocess.run([sys.executable, "-m", "analysis", "report", "--corpus", str(corpus), "--out", str(out),
                           "--date", "2025-11-04", "--formats", "html", "--jobs", "2"],
                          capture_output=True, text=True, timeout=1800, check=False)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in corpus.iterdir() if not p.is_symlink()}
    return {"proc": proc, "dir": out / "2025-11-04", "before": before, "after": after}


@pytest.mark.slow
def test_mixed_corpus_still_reports(mixed_run):
    assert mixed_run["proc"].returncode == 0, mixed_run["proc"].stderr[-3000:]
    d = mixed_run["dir"]
    for name in ("coverage", "facts", "profile-toutiao", "profile-the-new-york-times", "profile-tradingkey",
                 "profile-global-times", "profile-washington-examiner-attributed", "index"):
        assert (d / f"{name}.html").is_file(), name
    docs = pd.read_csv(d / "data" / "documents.csv", keep_default_na=False)
    assert len(docs) == 7  # five seeds, the hostile article and the cp1252 one


@pytest.mark.slow
def test_every_bad_input_is_listed_with_its_reason(mixed_run):
    rejected = pd.read_csv(mixed_run["dir"] / "data" / "rejected.csv", keep_default_na=False)
    text = rejected.apply(lambda r: f"{r['path']}: {r['reason']}", axis=1).str.cat(sep="\n").lower()
    for name, reason in BAD_FILES.items():
        line = next((ln for ln in text.splitlines() if name.lower() in ln), "")
        assert reason in line, (name, text)
    assert (rejected["reason"].str.len() > 5).all()
    assert "rejected" in mixed_run["proc"].stderr


@pytest.mark.slow
def test_raw_files_are_never_written(mixed_run):
    assert mixed_run["before"] == mixed_run["after"]


@pytest.mark.slow
def test_csv_exports_neutralise_formulas(mixed_run):
    docs = pd.read_csv(mixed_run["dir"] / "data" / "documents.csv", keep_default_na=False)
    for col in docs.columns:
        cells = docs[col].astype(str)
        assert not cells.str.match(r"^[=+@\t\r]").any(), col


@pytest.mark.slow
def test_no_script_from_an_article_reaches_the_html(mixed_run):
    for page in mixed_run["dir"].glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html, page.name
        assert "<img src=x onerror" not in html, page.name
        assert 'href="javascript:' not in html.lower(), page.name


@pytest.mark.slow
@pytest.mark.browser
def test_hostile_text_shows_as_text_and_never_runs(mixed_run):
    playwright = pytest.importorskip("playwright.sync_api")
    from analysis.render import CHROMIUM_FLAGS, find_browser

    exe = find_browser()
    if not exe:
        pytest.skip("no Chromium installed")
    dialogs: list[str] = []
    shown = []
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which(exe) or exe,
                              args=[f for f in CHROMIUM_FLAGS if f not in ("--headless", "--no-pdf-header-footer")])
        ctx = b.new_context(offline=True)
        page = ctx.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for html in sorted(mixed_run["dir"].glob("*.html")):
            page.goto(html.resolve().as_uri())
            n = page.locator("script[type='application/vnd.analysis.vegalite+json']").count()
            if n:
                page.wait_for_selector(f"body[data-charts-rendered='{n}']", timeout=60_000)
            page.wait_for_timeout(200)
            shown.append(page.inner_text("body"))
        b.close()
    assert dialogs == []
    everything = "\n".join(shown)
    assert "<script>alert(" in everything  # displayed as text, not executed


def test_strict_exit_code_when_inputs_were_rejected(monkeypatch, tmp_path):
    monkeypatch.setattr(report, "run_report", lambda params: {"rejected": 2})
    assert cli.main(["report", "--out", str(tmp_path), "--strict", "--quiet"]) == report.EXIT_STRICT
    assert cli.main(["report", "--out", str(tmp_path), "--quiet"]) == report.EXIT_OK


def test_help_documents_exit_codes(capsys):
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    out = capsys.readouterr().out
    for code in ("0 ", "1 ", "2 ", "3 "):
        assert f"\n  {code}" in out
    assert "--strict" in out and "--corpus" in out


def test_invalid_date_exits_2_before_work(tmp_path, capsys):
    assert cli.main(["report", "--out", str(tmp_path / "o"), "--date", "2025-02-30"]) == report.EXIT_USAGE
    assert "--date" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
