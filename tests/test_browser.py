"""Reports open in headless Chromium with the network off: charts draw, nothing errors, nothing loads."""

from __future__ import annotations

import shutil

import pytest

from analysis.render import CHROMIUM_FLAGS, find_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    exe = find_browser()
    if not exe:
        pytest.skip("no Chromium or Chrome installed")
    with playwright.sync_playwright() as p:
        flags = [f for f in CHROMIUM_FLAGS if f not in ("--headless", "--no-pdf-header-footer")]
        b = p.chromium.launch(executable_path=shutil.which(exe) or exe, headless=True, args=flags)
        yield b
        b.close()


def open_offline(browser, path):
    """Open a local page with every non-file request blocked; collect errors and blocked requests."""
    context = browser.new_context(offline=True)
    page = context.new_page()
    log = {"console_errors": [], "page_errors": [], "external": [], "dialogs": []}
    page.on("console", lambda m: log["console_errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["page_errors"].append(str(e)))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            log["external"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.resolve().as_uri())
    return context, page, log


@pytest.mark.parametrize("name", ["coverage", "facts", "profile-toutiao"])
def test_report_renders_charts_offline(report_run, browser, name):
    context, page, log = open_offline(browser, report_run["dir"] / f"{name}.html")
    try:
        n_specs = page.locator("script[type='application/vnd.analysis.vegalite+json']").count()
        assert n_specs >= 2
        page.wait_for_selector(f"body[data-charts-rendered='{n_specs}']", timeout=60_000)
        assert page.locator(".analysis-chart svg, .analysis-chart canvas").count() >= n_specs
        assert log["console_errors"] == [] and log["page_errors"] == []
        assert log["external"] == []
    finally:
        context.close()


def test_index_links_every_report(report_run, browser):
    context, page, log = open_offline(browser, report_run["dir"] / "index.html")
    try:
        hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
        assert "coverage.html" in hrefs and "facts.html" in hrefs
        assert any(h.startswith("profile-") and h.endswith(".pdf") for h in hrefs)
        for h in hrefs:
            assert (report_run["dir"] / h).is_file(), h
        assert log["console_errors"] == [] and log["external"] == []
    finally:
        context.close()


def test_tooltips_show_on_hover(report_run, browser):
    context, page, _ = open_offline(browser, report_run["dir"] / "coverage.html")
    try:
        n = page.locator("script[type='application/vnd.analysis.vegalite+json']").count()
        page.wait_for_selector(f"body[data-charts-rendered='{n}']", timeout=60_000)
        mark = page.locator(".analysis-chart svg .mark-rect path, .analysis-chart svg .mark-rect rect").first
        mark.hover(force=True)
        page.wait_for_selector("#vg-tooltip-element.visible", timeout=10_000)
        assert page.locator("#vg-tooltip-element").inner_text().strip()
    finally:
        context.close()
