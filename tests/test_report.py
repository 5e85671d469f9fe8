"""The report runner: parameters, planning, locking, atomic writes and an end-to-end run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import config, report
from tests.conftest import REPORT_DATE

# ---------------------------------------------------------------- parameters


@pytest.mark.parametrize("change,message", [
    ({"date": "2025-13-01"}, "--date"),
    ({"date": "tomorrow"}, "--date"),
    ({"formats": ("html", "docx")}, "--formats"),
    ({"formats": ()}, "--formats"),
    ({"jobs": 0}, "--jobs"),
    ({"corpus": Path("/nonexistent/corpus")}, "--corpus"),
    ({"group_by": "source; rm -rf"}, "--group-by"),
    ({"dask": "http://example.org"}, "--dask"),
])
def test_invalid_parameters_are_rejected_before_any_kernel(change, message, tmp_path):
    params = report.RunParams(out=tmp_path / "out", **change)
    with pytest.raises(report.ParameterError, match=re.escape(message)):
        report.validate_params(params)
    assert not (tmp_path / "out").exists()


def test_valid_parameters_are_normalised(tmp_path):
    p = report.validate_params(report.RunParams(out=tmp_path, formats=(" HTML", "pdf", "html"), date="2025-05-12"))
    assert p.formats == ("html", "pdf")
    assert p.date == "2025-05-12"


def test_relative_paths_become_absolute(tmp_path, monkeypatch):
    """Notebooks run in the staging folder, so relative paths would point elsewhere."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    p = report.validate_params(report.RunParams(corpus=Path("corpus"), out=Path("reports"), cache_dir=Path("c")))
    assert p.corpus == tmp_path / "corpus" and p.out == tmp_path / "reports" and p.cache_dir == tmp_path / "c"


def test_corpus_file_with_wrong_suffix_is_rejected(tmp_path):
    f = tmp_path / "corpus.xlsx"
    f.write_bytes(b"x")
    with pytest.raises(report.ParameterError, match=re.escape("folder, a .csv or a .jsonl")):
        report.validate_params(report.RunParams(corpus=f, out=tmp_path / "out"))


@pytest.mark.parametrize("name,expected", [
    ("The New York Times", "the-new-york-times"),
    ("Washington Examiner (attributed)", "washington-examiner-attributed"),
])
def test_slugify_ascii(name, expected):
    assert report.slugify(name) == expected


def test_slugify_keeps_non_latin_names_distinct():
    a, b = report.slugify("环球时报"), report.slugify("人民日报")
    assert a != b and re.fullmatch(r"[a-z0-9-]+", a)


def test_plan_has_comparison_and_one_profile_per_source(tmp_path):
    plan = report.plan_reports(["B", "A"], data_dir=tmp_path, report_date="2025-01-01", max_profiles=10,
                               documents_per_group={"A": 2, "B": 1})
    assert [p.name for p in plan] == ["brief-2025-01-01", "coverage", "facts", "stories", "profile-a", "profile-b"]
    assert plan[4].parameters == {"data_dir": str(tmp_path), "report_date": "2025-01-01", "source": "A"}


@pytest.mark.parametrize(("max_profiles", "profiled"), [(None, ["A", "B", "C"]), (2, ["A", "C"]), (0, [])])
def test_plan_profiles_the_largest_groups(tmp_path, max_profiles, profiled):
    counts = {"A": 5, "B": 1, "C": 3}
    plan = report.plan_reports(sorted(counts), data_dir=tmp_path, report_date="2025-01-01",
                               max_profiles=max_profiles, documents_per_group=counts)
    assert [p.parameters["source"] for p in plan if p.notebook == "source_profile"] == profiled
    rows = report.group_rows(plan, counts)
    assert [r["group"] for r in rows] == ["A", "C", "B"]
    assert [r["group"] for r in rows if r["profile"]] == [g for g in ["A", "C", "B"] if g in profiled]


def test_index_lists_every_group_and_which_are_profiled():
    plan = [{"title": "Coverage comparison", "subtitle": "s", "html": "coverage.html", "pdf": None}]
    groups = [{"group": "<b>Daily</b>", "documents": 3, "profile": "profile-b-daily-b.html"},
              {"group": "=SUM(A1)", "documents": 1, "profile": None}]
    out = report.index_html(plan, groups)
    assert "Every source of this run (2), most documents first; 1 has a profile." in out
    assert "&lt;b&gt;Daily&lt;/b&gt;" in out and "<b>Daily" not in out
    assert '<a href="profile-b-daily-b.html">profile</a>' in out and "=SUM(A1)</td><td>1</td><td>not profiled" in out
    assert "--profiles all" in out


@pytest.mark.parametrize(("argv", "expected"), [([], 20), (["--profiles", "all"], None), (["--profiles", "ALL"], None),
                                                (["--profiles", "5"], 5), (["--profiles", "0"], 0)])
def test_profiles_option(argv, expected):
    from analysis.cli import build_parser

    assert build_parser().parse_args(["report", *argv]).max_profiles == expected


@pytest.mark.parametrize("value", ["-1", "many", "2.5"])
def test_profiles_option_rejects_bad_values(value, capsys):
    from analysis.cli import build_parser

    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["report", "--profiles", value])
    assert exc.value.code == 2 and "--profiles" in capsys.readouterr().err


def test_index_html_escapes_titles():
    out = report.index_html([{"title": "<script>x</script>", "subtitle": "s", "html": "a.html", "pdf": None}])
    assert "<script>x" not in out and "&lt;script&gt;" in out


# ---------------------------------------------------------------- locking


def test_output_lock_serialises_runs(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, pathlib; from analysis.report import output_lock\n"
        "with output_lock(pathlib.Path(sys.argv[1]), quiet=True):\n"
        "    print('locked', flush=True); time.sleep(1.5)\n"
        "    (pathlib.Path(sys.argv[1]) / 'first').write_text('done')\n"), str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with report.output_lock(tmp_path, quiet=True):
        # We only get the lock after the holder finished its work.
        assert (tmp_path / "first").read_text() == "done"
    holder.wait(timeout=30)


# ---------------------------------------------------------------- failure keeps earlier reports


@pytest.mark.slow
def test_failed_run_keeps_earlier_reports_and_the_failed_notebook(tmp_path, monkeypatch):
    out = tmp_path / "out"
    earlier = out / "2025-01-02"
    earlier.mkdir(parents=True)
    (earlier / "coverage.html").write_text("earlier run")
    bad = tmp_path / "bad.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell('data_dir = ""\nsource = ""\nreport_date = ""', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure for the test')")]
    nbformat.write(nb, bad)
    monkeypatch.setitem(config.REPORT_NOTEBOOKS, "source_profile", bad)
    params = report.RunParams(out=out, date="2025-01-02", formats=("html",), jobs=2, quiet=True,
                              cache_dir=tmp_path / "cache")
    import os

    cwd = os.getcwd()
    with pytest.raises(report.RunFailed, match="deliberate failure"):
        report.run_report(params, emit=lambda m: None)
    assert os.getcwd() == cwd  # never left inside the staging folder that was moved away
    assert (earlier / "coverage.html").read_text() == "earlier run"
    failed = list((out / ".failed").glob("2025-01-02-*"))
    assert len(failed) == 1
    kept = nbformat.read(next(failed[0].glob("profile-*.ipynb")), as_version=4)
    errors = [o for c in kept.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0]["evalue"] == "deliberate failure for the test"
    assert not list(out.glob(".staging-*"))


# ---------------------------------------------------------------- end to end


@pytest.mark.slow
def test_report_command_succeeds(report_run):
    proc = report_run["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert re.search(r"\[\d+/\d+\] executed Coverage comparison", proc.stderr)


@pytest.mark.slow
def test_run_folder_has_every_output(report_run):
    d = report_run["dir"]
    plan = json.loads((d / "reports.json").read_text())["reports"]
    names = [r["name"] for r in plan]
    assert "coverage" in names and sum(n.startswith("profile-") for n in names) == 5
    for n in names:
        for ext in ("ipynb", "html", "pdf"):
            assert (d / f"{n}.{ext}").stat().st_size > 0, f"{n}.{ext}"
    assert (d / "index.html").is_file()
    assert (d / f"report-{REPORT_DATE}.pdf").is_file()
    run = json.loads((d / "run.json").read_text())
    assert run["date"] == REPORT_DATE and run["documents"] == 5
    assert re.fullmatch(r"[0-9a-f]{64}", run["corpus_hash"])
    assert {"pandas", "spacy", "papermill", "altair"} <= set(run["versions"])
    assert {"load", "tables", "notebooks", "html", "pdf", "total"} <= set(run["timings_seconds"])
    assert not list(report_run["out"].glob(".staging-*"))


@pytest.mark.slow
def test_documents_csv(report_run):
    df = pd.read_csv(report_run["dir"] / "data" / "documents.csv", keep_default_na=False)
    assert list(df.columns[:7]) == ["doc_id", "source", "published", "language", "words", "path", "text"]
    assert len(df) == 5
    assert (df["text"].str.len() > 500).all()
    assert set(df["path"]) == {p.name for p in config.RAW_DIR.glob("*.txt")}
    assert "Leave a Reply" not in " ".join(df["text"])


_EXTERNAL = re.compile(
    r"""<(?:script|img|iframe|link|source|video|audio|embed)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", re.IGNORECASE)


@pytest.mark.slow
def test_html_loads_nothing_from_the_network(report_run):
    pages = list(report_run["dir"].glob("*.html"))
    assert len(pages) >= 7
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not _EXTERNAL.search(text), (page.name, _EXTERNAL.search(text))
        assert "require.min.js" not in text and "MathJax.js" not in text and "mermaid" not in text.lower()
        assert not re.search(r'class="[^"]*(?:jp-CodeMirrorEditor|hl-ipython)', text), f"{page.name} shows code"
        assert page.stat().st_size < 5_000_000


@pytest.mark.slow
def test_chart_specs_validate(report_run):
    import jsonschema

    from analysis.render import SPEC_MIME

    html = (report_run["dir"] / "coverage.html").read_text(encoding="utf-8")
    specs = re.findall(rf'<script[^>]*type="{re.escape(SPEC_MIME)}"[^>]*>(.*?)</script>', html, re.S)
    assert len(specs) >= 5
    from altair.vegalite.v6.schema import load_schema

    schema = load_schema()
    for raw in specs:
        spec = json.loads(raw)
        jsonschema.Draft7Validator(schema).validate(spec)
        assert spec.get("title") or all(c.get("title") for c in spec.get("vconcat", spec.get("hconcat", [{}])))


def _pdftotext(path: Path) -> str:
    exe = shutil.which("pdftotext")
    if not exe:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run([exe, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
def test_pdfs_have_pages_cjk_text_and_the_date(report_run):
    from pypdf import PdfReader

    d = report_run["dir"]
    combined = d / f"report-{REPORT_DATE}.pdf"
    reader = PdfReader(str(combined))
    assert len(reader.pages) >= 7
    assert [o.title for o in reader.outline][:2] == ["Brief", "Coverage comparison"]
    brief = PdfReader(str(d / f"brief-{REPORT_DATE}.pdf"))
    assert 2 <= len(brief.pages) <= 4
    assert "no difference between sources can be told from chance" in _pdftotext(d / f"brief-{REPORT_DATE}.pdf")
    text = _pdftotext(combined)
    assert "Contents" in text or "CONTENTS" in text
    assert REPORT_DATE in text
    assert "石破茂" in text
    for pdf in d.glob("profile-*.pdf"):
        assert len(PdfReader(str(pdf)).pages) >= 1
        assert REPORT_DATE in _pdftotext(pdf)
    assert "石破茂" in _pdftotext(d / "profile-toutiao.pdf")


@pytest.mark.slow
def test_without_a_browser_html_is_still_written(tmp_path, monkeypatch):
    monkeypatch.setattr(report.render, "find_browser", lambda: None)
    messages: list[str] = []
    run = report.run_report(report.RunParams(out=tmp_path, date="2025-01-03", formats=("html", "pdf"), jobs=2,
                                             quiet=True, cache_dir=tmp_path / "cache", max_profiles=1),
                            emit=messages.append)
    d = tmp_path / "2025-01-03"
    assert (d / "coverage.html").is_file() and not list(d.glob("*.pdf"))
    assert run["browser"] is None
    assert any("apt-get install chromium" in m for m in messages)


# ---------------------------------------------------------------- caches of a run


@pytest.mark.slow
def test_rerun_reuses_tables_and_reports_and_restamps_the_date(tmp_path, monkeypatch):
    """Unchanged corpus: the second run reuses every table, notebook, page and PDF, byte for byte;
    a run dated the next day reuses the notebooks and writes pages with the new date; a changed
    notebook re-runs only its own reports; --no-cache re-runs and caches nothing."""
    import shutil

    from analysis import render

    has_pdf = render.find_browser() is not None
    out, cache = tmp_path / "out", tmp_path / "cache"

    def run(day, **kw):
        params = report.RunParams(out=out, date=day, formats=kw.pop("formats", ("html", "pdf")), jobs=2,
                                  quiet=True, cache_dir=cache, **kw)
        return report.run_report(params, emit=lambda m: None)

    cold = run("2025-01-02")
    first = {p.name: p.read_bytes() for p in (out / "2025-01-02").iterdir() if p.suffix in (".html", ".pdf")}
    assert cold["cache"]["tables_reused"] is False and cold["cache"]["notebook"]["hits"] == 0
    shutil.rmtree(out / "2025-01-02")

    warm = run("2025-01-02")
    n = len(warm["reports"])
    assert warm["cache"]["tables_reused"] is True
    assert warm["cache"]["notebook"] == {"hits": n + 1, "misses": 0}  # every report and the index
    assert warm["cache"]["html"] == {"hits": n + 1, "misses": 0}
    if has_pdf:
        assert warm["cache"]["pdf"] == {"hits": n + 1, "misses": 0}  # with the combined PDF
    again = {p.name: p.read_bytes() for p in (out / "2025-01-02").iterdir() if p.suffix in (".html", ".pdf")}
    assert again == first
    assert (out / "2025-01-02" / "data" / "store" / "documents.parquet").is_file()
    assert warm["annotation"]["annotated"] == 0

    later = run("2025-01-03", formats=("html",))
    assert later["cache"]["notebook"] == {"hits": n, "misses": 1}  # the index lists the new date's files
    day = out / "2025-01-03"
    assert "2025-01-03" in (day / "coverage.html").read_text(encoding="utf-8")
    assert "2025-01-02" not in (day / "coverage.html").read_text(encoding="utf-8")
    restamped = nbformat.read(day / "coverage.ipynb", as_version=4)
    injected = [c for c in restamped.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'report_date = "2025-01-03"' in injected[0].source

    changed = tmp_path / "facts.ipynb"
    nb = nbformat.read(config.REPORT_NOTEBOOKS["facts"], as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("An added closing note."))
    nbformat.write(nb, changed)
    monkeypatch.setitem(config.REPORT_NOTEBOOKS, "facts", changed)
    edited = run("2025-01-03", formats=("html",))
    assert edited["cache"]["notebook"] == {"hits": n, "misses": 1}  # facts only: the plan is unchanged
    assert "An added closing note." in (day / "facts.html").read_text(encoding="utf-8")

    before = sorted(p.name for p in (cache / "runs").rglob("*") if p.is_file())
    cold_again = run("2025-01-03", formats=("html",), use_cache=False)
    assert cold_again["cache"]["enabled"] is False and cold_again["cache"]["tables_reused"] is False
    assert cold_again["cache"]["notebook"] == {"hits": 0, "misses": n + 1}
    assert sorted(p.name for p in (cache / "runs").rglob("*") if p.is_file()) == before
