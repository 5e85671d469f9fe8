"""JupyterLab, started as `make lab` starts it, runs the notebooks in a real browser with the network off.

The server runs on loopback; Chromium (Playwright) aborts every request that is not to
loopback. Every chart must draw (SVG or canvas), no output may show an error, and a
click on a source in the explorer must filter its lists.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analysis import config
from analysis.render import find_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LOOPBACK = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/")
HEADER = re.compile(r"^(?P<source>.+): (?P<n>[\d,]+) (?P<kind>quote|sentence)s?(, \d+ shown)?$")
RUN_TIMEOUT_S = 900

# Lab settings for a test: no news prompt, no autosave, every cell kept in the page.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`python -m analysis.lab` (what `make lab` runs) on a copy of notebooks/, with Jupyter's folders in tmp."""
    base = tmp_path_factory.mktemp("lab")
    notebooks = base / "notebooks"
    shutil.copytree(config.NOTEBOOKS_DIR, notebooks)
    for rel, data in SETTINGS.items():
        f = base / "settings" / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(data), encoding="utf-8")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_DATA_DIR=str(base / "data"),
               JUPYTER_RUNTIME_DIR=str(base / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(base / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"), JUPYTER_PATH=str(base / "kernel/share/jupyter"))
    # Reading must not write a rejected-inputs list (only report runs do): point it at a file that must not appear.
    env["ANALYSIS_REJECTED_CSV"] = str(base / "rejected-must-not-be-written.csv")
    env.pop("JUPYTER_TOKEN", None)
    port = _free_port()
    log = (base / "lab.log").open("w", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis.lab", "--port", str(port), "--notebook-dir", str(notebooks),
         "--kernel-prefix", str(base / "kernel")],
        env=env, stdout=subprocess.PIPE, stderr=log, text=True, cwd=base)
    url, printed = None, []
    try:
        for line in proc.stdout:
            printed.append(line)
            m = re.match(r"JupyterLab: (\S+)", line)
            if m:
                url = m.group(1)
                break
        assert url, f"make lab printed no URL: {printed}"
        assert url.startswith(f"http://127.0.0.1:{port}/lab?token=")
        status = url.replace("/lab?", "/api/status?")
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(status, timeout=5) as r:  # loopback only
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("JupyterLab did not start:\n" + (base / "lab.log").read_text()) from None
                time.sleep(0.5)
        yield {"url": url, "base": base, "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    exe = "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else find_browser()
    if not exe:
        pytest.skip("no Chromium or Chrome installed")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which(exe) or exe, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page in which every request beyond loopback is aborted (and recorded)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    seen = {"external": [], "page_errors": []}

    def route(r):
        url = r.request.url
        if LOOPBACK.match(url) or url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            seen["external"].append(url)
            r.abort()

    context.route("**/*", route)
    pg.on("pageerror", lambda e: seen["page_errors"].append(str(e)))
    pg.seen = seen
    yield pg
    context.close()


def run_all(page, lab, name: str, shots: Path) -> None:
    """Open a notebook alone, wait for the project's kernel, run all cells and wait until every one ran."""
    page.goto(lab["url"].replace("/lab?", f"/lab/tree/{name}.ipynb?reset&"))
    page.get_by_text(f"{config.LAB_KERNEL_DISPLAY_NAME} | Idle").wait_for(timeout=180_000)
    page.locator(".jp-Notebook .jp-CodeCell").first.click()
    page.locator("li.lm-MenuBar-item", has_text="Run").click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    deadline = time.monotonic() + RUN_TIMEOUT_S
    prompts: list[str] = []
    while time.monotonic() < deadline:
        prompts = page.eval_on_selector_all(".jp-Notebook .jp-CodeCell .jp-InputArea-prompt",
                                            "els => els.map(e => e.textContent.trim())")
        if prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
            break
        time.sleep(1)
    else:
        page.screenshot(path=str(shots / f"{name}-timeout.png"))
        raise AssertionError(f"{name}: cells did not finish in {RUN_TIMEOUT_S}s: {prompts}")
    page.get_by_text(f"{config.LAB_KERNEL_DISPLAY_NAME} | Idle").wait_for()


def check_outputs(page, name: str, *, min_charts: int) -> int:
    """Every chart drew as SVG or canvas; no output shows an error; return the number of charts."""
    widget = ".jp-OutputArea-output:not([data-mime-type])"  # how JupyterLab marks a widget's output
    charts = page.locator(f"{widget}:has(.vega-embed)")
    deadline = time.monotonic() + 120
    while True:
        n, drawn = charts.count(), page.locator(f"{widget} .vega-embed:has(svg.marks, canvas)").count()
        if n >= min_charts and drawn == n:
            break
        assert time.monotonic() < deadline, f"{name}: {drawn} of {n} charts drew (at least {min_charts} expected)"
        time.sleep(1)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
                          ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, f"{name}: " + " | ".join(errors.all_inner_texts())[:2000]
    text = page.locator(".jp-Notebook").inner_text()
    for bad in ("Error loading script", "JavaScript Error", "Error displaying widget", "Traceback",
                "TqdmWarning", "JupyterChart("):
        assert bad not in text, f"{name} shows {bad!r}"
    # Every widget output is a chart or a progress bar.
    others = page.locator(f"{widget}:not(:has(.vega-embed)):not(:has(.widget-hprogress))")
    assert others.count() == 0, f"{name}: {others.count()} widget outputs are neither charts nor progress bars"
    return n


def top_level_charts(name: str) -> int:
    """Charts a notebook always shows: unconditional ``show.show_chart(...)`` lines in its code cells."""
    nb = json.loads((config.NOTEBOOKS_DIR / f"{name}.ipynb").read_text(encoding="utf-8"))
    return sum(len(re.findall(r"^show\.show_chart\(", "".join(c["source"]), flags=re.MULTILINE))
               for c in nb["cells"] if c["cell_type"] == "code")


def keep_screenshots(folder: Path) -> None:
    """Copy the screenshots to ``$ANALYSIS_SCREENSHOTS`` when set (to look at them)."""
    target = os.environ.get("ANALYSIS_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for p in folder.glob("*.png"):
            shutil.copy(p, Path(target) / p.name)


def explorer_headers(explorer) -> list[tuple[str, str]]:
    texts = explorer.locator("svg.marks .mark-text text").all_text_contents()
    return [(m["source"], m["kind"]) for m in map(HEADER.match, (t.strip() for t in texts)) if m]


def test_lab_renders_explore_and_filters_on_click(lab, page, tmp_path):
    data_before = _snapshot(config.DATA_DIR)
    run_all(page, lab, "explore", tmp_path)
    check_outputs(page, "explore", min_charts=max(1, top_level_charts("explore")))
    kwic = page.locator(".jp-OutputArea-output:has(table.analysis-kwic)").first
    kwic.scroll_into_view_if_needed()
    kwic.screenshot(path=str(tmp_path / "explore-kwic.png"))
    explorer = page.locator(".jp-OutputArea-output:has-text('Quotes per source')").last
    explorer.scroll_into_view_if_needed()
    headers = explorer_headers(explorer)
    sources = {s for s, _ in headers}
    assert len(sources) >= 2 and {k for _, k in headers} == {"quote", "sentence"}
    assert sorted(headers) == sorted({(s, k) for s in sources for k in ("quote", "sentence")}), \
        "with no selection every source has a header in each list"
    lines_before = explorer.locator("svg.marks .mark-text text").count()
    page.screenshot(path=str(tmp_path / "explore-before.png"))

    bar = explorer.locator("svg.marks .mark-rect path").first
    label = bar.get_attribute("aria-label") or ""
    picked = next(s for s in sources if s in label)
    bar.click()
    deadline = time.monotonic() + 30
    while {s for s, _ in explorer_headers(explorer)} != {picked}:
        assert time.monotonic() < deadline, f"lists not filtered to {picked}: {explorer_headers(explorer)}"
        time.sleep(0.5)
    after = explorer_headers(explorer)
    assert sorted(after) == [(picked, "quote"), (picked, "sentence")]
    lines_after = explorer.locator("svg.marks .mark-text text").count()
    assert lines_after > len(after) and lines_after != lines_before
    explorer.screenshot(path=str(tmp_path / "explore-after-click.png"))
    keep_screenshots(tmp_path)
    assert page.seen["external"] == [], page.seen["external"][:5]
    assert page.seen["page_errors"] == []
    assert _snapshot(config.DATA_DIR) == data_before, "running explore.ipynb wrote under data/"
    assert not (lab["base"] / "rejected-must-not-be-written.csv").exists()


def test_lab_renders_every_coverage_chart(lab, page, tmp_path):
    data_before = _snapshot(config.DATA_DIR)
    run_all(page, lab, "coverage", tmp_path)
    expected = top_level_charts("coverage")
    assert expected >= 8
    assert check_outputs(page, "coverage", min_charts=expected) >= expected
    page.screenshot(path=str(tmp_path / "coverage.png"))
    keep_screenshots(tmp_path)
    assert page.seen["external"] == [], page.seen["external"][:5]
    assert page.seen["page_errors"] == []
    assert _snapshot(config.DATA_DIR) == data_before, "running coverage.ipynb wrote under data/"
    assert not (lab["base"] / "rejected-must-not-be-written.csv").exists()
