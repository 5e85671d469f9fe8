"""Rendering: one reused HTML exporter, and one Chromium session that prints every PDF."""

from __future__ import annotations

import logging
import sys
import threading
import unicodedata
from pathlib import Path

import pytest

from analysis import render
from analysis.render import PageInfo, PdfPrinter

CHART_TITLE = "Tariff mentions by outlet"
AXIS_TITLE = "Articles naming a tariff rate"
CJK = {"zh": "中美关税战升级", "ja": "関税の引き上げ", "ko": "관세 전쟁이 격화"}


# ---------------------------------------------------------------- fixtures


def executed_notebook(path: Path, *, with_chart: bool = True, note: str = "Coverage rose in April.") -> Path:
    """A small executed notebook: prose with CJK text, one chart output, one table output."""
    import nbformat

    cells = [nbformat.v4.new_markdown_cell(f"## What the sources said\n\n{note}\n\n"
                                           + " · ".join(CJK.values()))]
    if with_chart:
        spec = {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "title": CHART_TITLE,
            "data": {"values": [{"outlet": "Alpha Daily", "n": 4}, {"outlet": "Beta Wire", "n": 7}]},
            "mark": "bar",
            "encoding": {"x": {"field": "outlet", "type": "nominal", "title": "Outlet"},
                         "y": {"field": "n", "type": "quantitative", "title": AXIS_TITLE}},
        }
        code = nbformat.v4.new_code_cell("chart", execution_count=1)
        code.outputs = [nbformat.v4.new_output("display_data", data={
            "text/html": render.chart_html(spec), "text/plain": f"<Chart: {CHART_TITLE}>"})]
        cells.append(code)
    table = nbformat.v4.new_code_cell("table", execution_count=2)
    table.outputs = [nbformat.v4.new_output("execute_result", execution_count=2, data={
        "text/html": "<table class='analysis-table'><tr><th>outlet</th><th>quote</th></tr>"
                     "<tr><td>Alpha Daily</td><td>&lt;b&gt;not bold&lt;/b&gt;</td></tr></table>",
        "text/plain": "table"})]
    cells.append(table)
    nb = nbformat.v4.new_notebook(cells=cells)
    nbformat.write(nb, path)
    return path


def page_info(title: str = "Coverage") -> PageInfo:
    return PageInfo(title=title, subtitle="fixture corpus", date="2026-12-01")


def pdf_text(path: Path) -> str:
    """The text of a PDF, with ligatures (ﬀ, ﬁ) unfolded and runs of white space made one space."""
    from pypdf import PdfReader

    text = " ".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def browser_exe():
    pytest.importorskip("playwright.sync_api")
    exe = render.find_browser()
    if not exe:
        pytest.skip("no Chromium or Chrome installed")
    return exe


@pytest.fixture(scope="module")
def report_html(tmp_path_factory):
    d = tmp_path_factory.mktemp("html")
    return render.notebook_to_html(executed_notebook(d / "coverage.ipynb"), d / "coverage.html", page=page_info())


@pytest.fixture(scope="module")
def printer(browser_exe):
    with PdfPrinter(browser_exe, timeout=60) as p:
        yield p


# ---------------------------------------------------------------- HTML: one exporter


def _html_the_old_way(notebook: Path, page: PageInfo) -> str:
    """The export as it was before the exporter was shared: a new HTMLExporter per call."""
    import nbformat
    from nbconvert import HTMLExporter

    from analysis import __version__, config

    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = page.title
    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(config.TEMPLATE_DIR)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True)
    resources = {"analysis": {
        "version": __version__, "title": page.title, "subtitle": page.subtitle, "date": page.date,
        "kicker": page.kicker, "index_href": page.index_href, "css": render.REPORT_CSS,
        "vega_bundle": render.vega_bundle(), "embed_js": render.EMBED_JS}}
    return exporter.from_notebook_node(nb, resources=resources)[0]


def test_html_exporter_is_built_once():
    assert render.html_exporter() is render.html_exporter()


def test_shared_exporter_output_is_byte_identical_to_a_fresh_one(tmp_path):
    a = executed_notebook(tmp_path / "a.ipynb")
    b = executed_notebook(tmp_path / "b.ipynb", with_chart=False, note="Only prose & a <table>.")
    pa, pb = page_info("Coverage"), PageInfo(title="Stories", subtitle="s", date="2026-12-02", index_href=None)
    first = render.notebook_to_html(a, tmp_path / "a1.html", page=pa).read_bytes()
    render.notebook_to_html(b, tmp_path / "b.html", page=pb)  # another page in between leaves no state
    again = render.notebook_to_html(a, tmp_path / "a2.html", page=pa).read_bytes()
    assert first == again == _html_the_old_way(a, pa).encode("utf-8")
    assert (tmp_path / "b.html").read_bytes() == _html_the_old_way(b, pb).encode("utf-8")
    assert b"Stories" in (tmp_path / "b.html").read_bytes() and b"Coverage" not in (tmp_path / "b.html").read_bytes()


def test_shared_exporter_is_safe_from_threads(tmp_path):
    nbs = [executed_notebook(tmp_path / f"n{i}.ipynb", note=f"Note number {i}.") for i in range(4)]
    expected = [_html_the_old_way(nb, page_info(f"T{i}")) for i, nb in enumerate(nbs)]
    threads = [threading.Thread(target=render.notebook_to_html,
                                args=(nb, tmp_path / f"n{i}.html"), kwargs={"page": page_info(f"T{i}")})
               for i, nb in enumerate(nbs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [(tmp_path / f"n{i}.html").read_text(encoding="utf-8") for i in range(4)] == expected


# ---------------------------------------------------------------- PDF: no browser needed


def test_printer_without_a_browser_says_how_to_install_one(monkeypatch):
    monkeypatch.setattr(render, "find_browser", lambda: None)
    with pytest.raises(RuntimeError, match="No Chromium or Chrome found"):
        PdfPrinter()


def test_combine_pdfs_needs_a_printer_or_a_browser(tmp_path):
    with pytest.raises(ValueError, match="printer or a browser"):
        render.combine_pdfs([], tmp_path / "all.pdf", title="t", date="2026-12-01", corpus_note="n")


def test_without_playwright_it_falls_back_to_one_process_per_pdf(tmp_path, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails
    calls = []

    def fake_html_to_pdf(html_path, pdf_path, *, browser, timeout):
        calls.append((html_path.name, browser))
        pdf_path.write_bytes(b"%PDF-1.4 fake")
        return pdf_path

    monkeypatch.setattr(render, "html_to_pdf", fake_html_to_pdf)
    jobs = [(tmp_path / f"r{i}.html", tmp_path / f"r{i}.pdf") for i in range(3)]
    done = []
    with caplog.at_level(logging.WARNING, logger="analysis.render"), PdfPrinter("/bin/true") as p:
        assert p.mode == "process"
        assert p.print_many(jobs, on_done=done.append) == [pdf for _, pdf in jobs]
    assert calls == [(f"r{i}.html", "/bin/true") for i in range(3)]
    assert done == [pdf for _, pdf in jobs] and p.printed == 3
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Playwright cannot be imported" in warnings[0].getMessage()


def test_a_browser_that_cannot_launch_falls_back(tmp_path, monkeypatch, caplog):
    sync_api = pytest.importorskip("playwright.sync_api")

    def broken_launch(self, **kwargs):
        raise sync_api.Error("Failed to launch: crashed on start")

    monkeypatch.setattr(sync_api.BrowserType, "launch", broken_launch)
    with caplog.at_level(logging.WARNING, logger="analysis.render"), PdfPrinter("/bin/true") as p:
        assert p.mode == "process"
    msgs = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(msgs) == 1 and "could not be launched" in msgs[0] and "crashed on start" in msgs[0]


# ---------------------------------------------------------------- PDF: one browser session


@pytest.mark.browser
def test_pdf_has_the_page_text_and_a_drawn_chart(printer, report_html, tmp_path):
    pdf = printer.print(report_html, tmp_path / "coverage.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "What the sources said" in text and "Coverage rose in April." in text
    # Titles and axis labels exist only once Vega has drawn the chart (the HTML holds them as JSON).
    assert CHART_TITLE in text and AXIS_TITLE in text and "Beta Wire" in text
    assert "<b>not bold</b>" in text  # escaped article text stays text
    assert not list(tmp_path.glob(".*.part")), "no temporary file is left behind"
    from pypdf import PdfReader

    box = PdfReader(str(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # @page A4


def fonts_drawing(pdf: Path, char: str) -> list[str]:
    """Names of the fonts whose ToUnicode map has ``char``: the fonts that drew it."""
    from pypdf import PdfReader

    code = f"<{ord(char):04X}>"
    found = []
    for page in PdfReader(str(pdf)).pages:
        for key, font in (page["/Resources"].get("/Font") or {}).items():
            font = font.get_object()
            cmap = font.get("/ToUnicode")
            if cmap is not None and code in cmap.get_object().get_data().decode("latin-1").upper():
                found.append(f"{font.get('/Subtype')}:{font.get('/BaseFont') or key}")
    return found


@pytest.mark.browser
def test_cjk_text_survives_with_a_cjk_font(printer, report_html, tmp_path):
    pdf = printer.print(report_html, tmp_path / "cjk.pdf")
    text = pdf_text(pdf)
    for lang, phrase in CJK.items():
        assert phrase in text, lang
        # Drawn by a font that has the glyph (Chromium embeds Noto CJK as Type 3), not by the
        # Latin fallback font, which has none and would print empty boxes.
        fonts = fonts_drawing(pdf, phrase[0])
        assert fonts and not any("DejaVu" in f for f in fonts), (lang, fonts)


@pytest.mark.browser
def test_network_requests_are_blocked_and_the_page_still_prints(printer, tmp_path):
    page = tmp_path / "tracker.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<script src='http://example.invalid/x.js'></script>"
        "<link rel='stylesheet' href='https://example.invalid/style.css'></head>"
        "<body><p>Printed although its scripts were blocked.</p>"
        "<img src='https://example.invalid/pixel.png' alt=''></body></html>", encoding="utf-8")
    before = len(printer.blocked)
    pdf = printer.print(page, tmp_path / "tracker.pdf")
    blocked = printer.blocked[before:]
    assert "http://example.invalid/x.js" in blocked
    assert "https://example.invalid/style.css" in blocked and "https://example.invalid/pixel.png" in blocked
    assert "Printed although its scripts were blocked." in pdf_text(pdf)


@pytest.mark.browser
def test_charts_that_never_draw_time_out_naming_the_file(printer, tmp_path):
    # A chart spec but no drawing script: data-charts-rendered is never set.
    page = tmp_path / "stuck-report.html"
    page.write_text(f"<!DOCTYPE html><html><body><p>x</p><script type='{render.SPEC_MIME}' "
                    "data-target='c'>{}</script></body></html>", encoding="utf-8")
    with pytest.raises(RuntimeError, match=r"stuck-report\.html.*did not finish drawing within 2 s"):
        printer.print(page, tmp_path / "stuck.pdf", timeout=2)
    assert not (tmp_path / "stuck.pdf").exists()
    # The session survives the failure and prints the next page.
    ok = tmp_path / "ok.html"
    ok.write_text("<!DOCTYPE html><html><body><p>Still printing.</p></body></html>", encoding="utf-8")
    assert "Still printing." in pdf_text(printer.print(ok, tmp_path / "ok.pdf"))


@pytest.mark.browser
def test_a_missing_html_file_is_named(printer, tmp_path):
    with pytest.raises(RuntimeError, match=r"absent\.html: cannot print a PDF, no such HTML file"):
        printer.print(tmp_path / "absent.html", tmp_path / "absent.pdf")


@pytest.mark.browser
def test_any_thread_and_a_running_event_loop_can_print(printer, report_html, tmp_path):
    """The session lives in its own thread: a worker thread, or a Jupyter kernel's asyncio loop, can print."""
    import asyncio

    results: list = []
    t = threading.Thread(target=lambda: results.append(printer.print(report_html, tmp_path / "thread.pdf")))
    t.start()
    t.join()

    async def in_a_loop():
        return printer.print(report_html, tmp_path / "loop.pdf")

    results.append(asyncio.run(in_a_loop()))
    assert results == [tmp_path / "thread.pdf", tmp_path / "loop.pdf"]
    assert all(CHART_TITLE in pdf_text(r) for r in results)


@pytest.mark.browser
def test_every_pdf_and_the_contents_page_share_one_browser(browser_exe, report_html, tmp_path, monkeypatch):
    from playwright.sync_api import BrowserType

    launches = []
    real_launch = BrowserType.launch

    def counting_launch(self, **kwargs):
        launches.append(kwargs.get("executable_path"))
        return real_launch(self, **kwargs)

    monkeypatch.setattr(BrowserType, "launch", counting_launch)
    names = ["coverage", "facts", "profile-a", "profile-b"]
    order = []
    with PdfPrinter(browser_exe, concurrency=2) as p:
        pdfs = p.print_many([(report_html, tmp_path / f"{n}.pdf") for n in names], on_done=order.append)
        combined = render.combine_pdfs([(n.title(), "sub", pdf) for n, pdf in zip(names, pdfs, strict=True)],
                                       tmp_path / "all.pdf", printer=p, title="All reports",
                                       date="2026-12-01", corpus_note="4 documents from 2 sources")
        assert p.mode == "session" and p.printed == len(names) + 1
    assert len(launches) == 1 and launches[0] == p.browser
    assert order == [tmp_path / f"{n}.pdf" for n in names]
    from pypdf import PdfReader

    reader = PdfReader(str(combined))
    contents = " ".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())
    assert contents.startswith("All reports Report date 2026-12-01 · 4 documents from 2 sources CONTENTS")
    assert "Coverage sub 2" in contents  # the contents page, then the first report
    assert [o.title for o in reader.outline] == [n.title() for n in names]
    assert len(reader.pages) == 1 + sum(len(PdfReader(str(x)).pages) for x in pdfs)


@pytest.mark.browser
@pytest.mark.slow
def test_the_one_process_per_pdf_path_still_prints(browser_exe, report_html, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    with PdfPrinter(browser_exe) as p:
        assert p.mode == "process"
        pdf = p.print(report_html, tmp_path / "fallback.pdf")
    text = pdf_text(pdf)
    assert "Coverage rose in April." in text and AXIS_TITLE in text and CJK["zh"] in text
    assert "Coverage rose in April." in pdf_text(render.html_to_pdf(report_html, tmp_path / "direct.pdf",
                                                                    browser=browser_exe))
