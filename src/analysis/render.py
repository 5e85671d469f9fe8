"""Rendering: executed notebooks to offline HTML, HTML to PDF, and the combined PDF.

HTML reports load nothing over the network: the nbconvert template drops the
require.js, MathJax and mermaid tags of the lab template, and charts are drawn
by an inline Vega bundle from ``vl_convert``. One nbconvert exporter serves every page
(:func:`html_exporter`). PDFs are printed by one headless Chromium session (Debian's
``chromium`` or Google Chrome, driven by Playwright: :class:`PdfPrinter`), or by one
Chromium process per PDF when Playwright is unavailable. :func:`enable_chart_renderer`
decides how charts are shown in each context: report, notebook (JupyterLab, VS Code:
an offline widget), or plain Python.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from analysis import __version__, config

log = logging.getLogger(__name__)

SPEC_MIME = "application/vnd.analysis.vegalite+json"
"""Type of the ``<script>`` element that carries a chart spec inside report HTML."""

RENDER_ENV = "ANALYSIS_RENDER"
"""Set to ``report`` (by the runner) to make charts render for offline HTML and PDF; ``notebook`` or
``plain`` force those contexts (see :func:`chart_context`)."""

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-extensions",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
)

EMBED_JS = r"""
(function () {
  var specs = document.querySelectorAll('script[type="SPEC_MIME"]');
  var pending = [];
  specs.forEach(function (el) {
    var target = document.getElementById(el.getAttribute('data-target'));
    var spec;
    try { spec = JSON.parse(el.textContent); } catch (err) { console.error('bad chart spec', err); return; }
    pending.push(window.vegaEmbed(target, spec, {actions: false, renderer: 'svg'}));
  });
  Promise.all(pending).then(function () {
    document.body.setAttribute('data-charts-rendered', String(pending.length));
  }).catch(function (err) { console.error('chart rendering failed', err); });
})();
""".replace("SPEC_MIME", SPEC_MIME)

REPORT_CSS = """
:root { --report-accent: #1b6ca8; }
body, .jp-RenderedHTMLCommon, .jp-RenderedMarkdown {
  font-family: "Noto Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK KR", "DejaVu Sans", sans-serif;
}
body.jp-Notebook { max-width: 1000px; margin: 0 auto; padding: 0 24px; }
.report-header { border-bottom: 3px solid var(--report-accent); margin: 24px 0 12px; padding-bottom: 8px; }
.report-kicker { text-transform: uppercase; letter-spacing: .08em; color: var(--report-accent); margin: 0; font-size: 12px; }
.report-title { margin: 4px 0; font-size: 28px; line-height: 1.2; }
.report-meta { margin: 0; color: #444; }
.report-nav a { color: var(--report-accent); }
.report-footer { margin: 32px 0 16px; color: #666; font-size: 12px; border-top: 1px solid #ddd; padding-top: 8px; }
.analysis-chart { margin: 8px 0 4px; min-height: 40px; }
.analysis-caption { color: #333; font-size: 13px; margin: 2px 0 14px; }
.analysis-thin { color: #444; font-size: 14px; margin: 6px 0 16px; padding: 6px 10px; border-left: 3px solid #c8c8c8; background: #f7f7f7; }
table.analysis-table { border-collapse: collapse; font-size: 12px; margin: 6px 0 14px; width: 100%; }
table.analysis-table td:last-child { min-width: 40%; }
table.analysis-table td { overflow-wrap: anywhere; }
.jp-RenderedHTMLCommon table.analysis-table th, .jp-RenderedHTMLCommon table.analysis-table td,
table.analysis-table th, table.analysis-table td { text-align: left; border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
table.analysis-table th { background: #f3f6f9; }
table.analysis-table.blocks td:last-child { min-width: 0; }
table.analysis-table.blocks { width: 100% !important; }
table.analysis-table.blocks tr.record-fields td { border-bottom: none !important; padding-bottom: 0 !important; font-weight: 600; }
table.analysis-table.blocks tr.record-text td { padding: 1px 8px 6px 20px !important; font-weight: normal; }
table.analysis-table.blocks tr.record-text + tr.record-text td { padding-top: 0 !important; }
table.analysis-table .block-label { color: #555; font-style: italic; }
table.story-sides { table-layout: fixed; }
table.story-sides th.field { width: 13%; }
table.finding-list td { font-size: 14px; border-bottom: none; padding: 3px 6px; }
table.finding-list td.n { width: 1.5em; color: #1b6ca8; font-weight: 600; }
table.finding-list td:last-child { min-width: 0; }
.finding-note { color: #444; font-size: 13px; }
.conflict { margin: 10px 0 16px; }
.evidence { border-left: 3px solid #d1495b; padding: 4px 10px; margin: 6px 0; background: #fbf4f5; }
.evidence .who { font-weight: 600; }
.jp-OutputArea-output.jp-RenderedText pre { white-space: pre-wrap; }
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
@media print {
  body.jp-Notebook { max-width: none; padding: 0; }
  .report-nav { display: none; }
  h2 { break-before: auto; break-after: avoid; }
  h3 { break-after: avoid; }
  .analysis-chart, .vega-embed, table.analysis-table tr, table.analysis-table tbody.record, .evidence, .conflict,
  figure { break-inside: avoid; }
  /* The lab CSS makes outputs unsplittable table cells; lay them out as plain blocks so long
     outputs flow across pages, while charts, table rows and evidence blocks stay whole. */
  .jp-Cell, .jp-OutputArea-child { break-inside: auto !important; }
  .jp-OutputArea-output { display: block !important; overflow: visible !important; break-inside: auto; }
  .jp-OutputArea-child, .jp-Cell-outputArea, .jp-OutputArea, .jp-Cell-outputWrapper { display: block !important; }
  .analysis-caption { break-before: avoid; }
  .story-head { break-after: avoid; }
  table.story-sides { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


@lru_cache(maxsize=2)
def vega_bundle(vl_version: str | None = None) -> str:
    """The inline Vega, Vega-Lite and Vega-Embed bundle (about 0.9 MB of JavaScript).

    Building it takes seconds, so it is kept in ``INTERIM_DIR/vega/``, keyed by the
    Vega-Lite and vl-convert versions (a derived, disposable file).
    """
    import altair as alt
    import vl_convert

    version = vl_version or ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    cached = config.INTERIM_DIR / "vega" / f"bundle-vl{version}-vlc{getattr(vl_convert, '__version__', 'x')}.js"
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vl_convert.javascript_bundle(vl_version=version)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.part")
        tmp.write_text(bundle, encoding="utf-8")
        os.replace(tmp, cached)
    except OSError as exc:
        log.debug("cannot cache the Vega bundle in %s: %s", cached.parent, exc)
    return bundle


def script_safe_json(obj) -> str:
    """JSON for an inline ``<script>`` element: ``<``, ``>`` and ``&`` are escaped.

    Chart specs carry article text (tooltips), which is untrusted: a ``</script>`` inside
    a sentence must not end the element.
    """
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace(
        "\u2028", "\\u2028").replace("\u2029", "\\u2029")


def chart_html(spec: dict) -> str:
    """HTML for one chart in a report: a target element and its spec as inert JSON."""
    payload = script_safe_json(spec)
    chart_id = "chart-" + hashlib.sha1(payload.encode("utf-8")).hexdigest()[:12]
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    label = html.escape(str(title or "Chart"), quote=True)
    return (
        f'<div class="analysis-chart" id="{chart_id}" role="img" aria-label="{label}"></div>'
        f'<script type="{SPEC_MIME}" data-target="{chart_id}">{payload}</script>'
    )


def _report_renderer(spec: dict, **metadata) -> dict:
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return {"text/html": chart_html(spec), "text/plain": f"<Chart: {title or 'untitled'}>"}


ChartContext = Literal["report", "notebook", "plain"]
"""Where charts are shown: offline report HTML, a live notebook kernel (JupyterLab, VS Code), or neither."""

NOTEBOOK_EMBED_OPTIONS = {
    "renderer": "svg",
    # No "Open in Vega Editor" (a web site) and no source views; exports work offline.
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}


def chart_context() -> ChartContext:
    """The context charts are displayed in.

    ``ANALYSIS_RENDER`` (``report``, ``notebook`` or ``plain``) decides when set; the
    report runner sets ``report``. Otherwise a running Jupyter kernel (JupyterLab, the
    classic notebook, VS Code) means ``notebook``, and anything else (plain Python, a
    terminal IPython) means ``plain``.
    """
    mode = os.environ.get(RENDER_ENV, "").strip().lower()
    if mode in ("report", "notebook", "plain"):
        return mode  # type: ignore[return-value]
    try:
        from IPython import get_ipython
    except ImportError:
        return "plain"
    shell = get_ipython()
    return "notebook" if shell is not None and getattr(shell, "kernel", None) is not None else "plain"


def enable_chart_renderer(context: ChartContext | None = None) -> str:
    """Choose and enable the Altair renderer for the context charts are shown in.

    - ``report``: the chart spec as inert JSON beside a target element; the report page
      draws it with the inline Vega bundle (see :func:`chart_html`).
    - ``notebook``: Altair's ``jupyter`` renderer (an anywidget) in offline mode, so its
      JavaScript comes from ``vl_convert`` and not a CDN; selections work; drawn as SVG.
    - ``plain``: Altair's default renderer (nothing is drawn; ``chart.save`` still works).

    Args:
        context: Override :func:`chart_context`.

    Returns:
        The name of the enabled renderer.
    """
    import altair as alt

    context = context or chart_context()
    if "analysis_report" not in alt.renderers.names():
        alt.renderers.register("analysis_report", _report_renderer)
    if context == "report":
        alt.renderers.enable("analysis_report")
        return "analysis_report"
    if context == "notebook":
        try:
            import anywidget  # noqa: F401
        except ImportError:
            log.warning("anywidget is not installed, so charts cannot be drawn offline in this notebook; "
                        "install the project's dependencies (make setup)")
        else:
            alt.renderers.enable("jupyter", offline=True, embed_options=NOTEBOOK_EMBED_OPTIONS)
            return "jupyter"
    alt.renderers.enable("default")
    return "default"


@dataclass(frozen=True)
class PageInfo:
    """What the report template shows in the header of a page."""

    title: str
    subtitle: str
    date: str
    kicker: str = "US–China tariff war · how the sources compare"
    index_href: str | None = "index.html"


@lru_cache(maxsize=1)
def html_exporter():
    """The nbconvert exporter of report pages, built once per process and reused.

    Building one loads the Jinja templates and the lab CSS (a fraction of a second per
    report); its settings never change, so every page shares it.
    """
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(config.TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


_EXPORT_LOCK = threading.Lock()


def notebook_to_html(notebook: Path, out: Path, *, page: PageInfo) -> Path:
    """Export an executed notebook to a self-contained offline HTML page with code hidden."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = page.title
    resources = {
        "analysis": {
            "version": __version__,
            "title": page.title,
            "subtitle": page.subtitle,
            "date": page.date,
            "kicker": page.kicker,
            "index_href": page.index_href,
            "css": REPORT_CSS,
            "vega_bundle": vega_bundle(),
            "embed_js": EMBED_JS,
        }
    }
    with _EXPORT_LOCK:  # one shared exporter: its preprocessors keep per-call state
        body, _ = html_exporter().from_notebook_node(nb, resources=resources)
    out.write_text(body, encoding="utf-8")
    return out


def find_browser() -> str | None:
    """Path of a Chromium or Chrome executable, or None."""
    for name in config.chromium_candidates():
        path = shutil.which(name) if name else None
        if path:
            return path
    return None


BROWSER_HINT = (
    "No Chromium or Chrome found, so PDFs were skipped (HTML reports were written). "
    "Install one, e.g. as root on Debian/Ubuntu: apt-get install chromium fonts-noto-cjk poppler-utils; "
    "or set ANALYSIS_CHROMIUM to a Chrome executable."
)


def html_to_pdf(html_path: Path, pdf_path: Path, *, browser: str, timeout: float = 180.0,
                budget_ms: int = 20000) -> Path:
    """Print an HTML file to PDF with headless Chromium, after its charts have drawn.

    Raises:
        RuntimeError: if the browser fails or writes no PDF.
    """
    with tempfile.TemporaryDirectory(prefix="analysis-chromium-") as profile:
        tmp_pdf = pdf_path.with_name(f".{pdf_path.name}.part")
        cmd = [
            browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}", f"--print-to-pdf={tmp_pdf}",
            html_path.resolve().as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if proc.returncode != 0 or not tmp_pdf.is_file() or tmp_pdf.stat().st_size == 0:
            tail = (proc.stderr or "").strip().splitlines()[-5:]
            raise RuntimeError(f"{html_path.name}: Chromium could not print a PDF (exit {proc.returncode}): "
                               + " | ".join(tail))
        os.replace(tmp_pdf, pdf_path)
    return pdf_path


PRINT_FLAGS = tuple(
    f for f in CHROMIUM_FLAGS
    # Playwright starts the browser headless itself; the other two only concern --print-to-pdf.
    if f not in ("--headless", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw")
)
"""The offline flags of :data:`CHROMIUM_FLAGS` that apply to a browser driven over DevTools."""

LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
"""URL schemes a report page may load; every other request is aborted."""

CHARTS_READY_JS = """() => {
  const body = document.body;
  if (!body || document.readyState !== 'complete') return false;
  return body.hasAttribute('data-charts-rendered') || !document.querySelector('script[type="SPEC_MIME"]');
}""".replace("SPEC_MIME", SPEC_MIME)
"""True once every chart has drawn (EMBED_JS sets ``data-charts-rendered``) or the page has none."""

PrintMode = Literal["session", "process"]


class PdfPrinter:
    """One headless Chromium session that prints every PDF of a run.

    The browser is launched once (Playwright, on the system Chromium of :func:`find_browser`);
    each file opens in a new page of one offline browser context in which any request other
    than ``file:``, ``data:``, ``about:`` or ``blob:`` is aborted and counted in :attr:`blocked`.
    Pages are printed with print media, the CSS page size (``@page``), backgrounds, and no
    header or footer.
    If Playwright cannot be imported or the browser cannot be launched, the printer falls
    back to one Chromium process per PDF (:func:`html_to_pdf`) with one logged warning.

    Playwright's sync API is bound to one thread and refuses a thread that runs an asyncio
    loop (a Jupyter kernel), so the session lives in a worker thread of its own; any thread
    may call :meth:`print`, and calls are served one at a time.

    Example:
        >>> with PdfPrinter() as printer:  # doctest: +SKIP
        ...     printer.print(Path("coverage.html"), Path("coverage.pdf"))
    """

    def __init__(self, browser: str | None = None, *, timeout: float = 120.0, concurrency: int = 2) -> None:
        """Prepare a printer (the browser starts on ``__enter__`` or the first print).

        Args:
            browser: Chromium or Chrome executable; default :func:`find_browser`.
            timeout: Seconds a page may take to load and draw its charts.
            concurrency: Pages :meth:`print_many` loads at the same time.

        Raises:
            RuntimeError: if no browser is installed.
        """
        exe = browser or find_browser()
        if not exe:
            raise RuntimeError(BROWSER_HINT)
        self.browser = shutil.which(exe) or exe
        self.timeout = timeout
        self.concurrency = max(1, concurrency)
        self.mode: PrintMode | None = None
        """``session`` (one browser), ``process`` (the fallback), or None before :meth:`start`."""
        self.blocked: list[str] = []
        """URLs of the requests that were aborted (reports must load nothing from the network)."""
        self.printed = 0
        self._pw = None
        self._browser = None
        self._context = None
        self._worker: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> PdfPrinter:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, fn, *args, **kwargs):
        """Run ``fn`` in the session's worker thread and return its result."""
        return self._worker.submit(fn, *args, **kwargs).result()

    def start(self) -> None:
        """Launch the browser session, or choose the one-process-per-PDF fallback."""
        with self._lock:
            if self.mode is not None:
                return
            try:
                from playwright.sync_api import sync_playwright  # noqa: F401
            except ImportError as exc:
                self._fall_back(f"Playwright cannot be imported ({exc})")
                return
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analysis-pdf")
            why = self._call(self._launch)
            if why:
                self._worker.shutdown(wait=True)
                self._worker = None
                self._fall_back(why)
                return
            self.mode = "session"
        log.info("printing PDFs through one %s session", self.browser)

    def _launch(self) -> str | None:
        """Start Playwright and the browser (worker thread); the reason it failed, if it did."""
        from playwright.sync_api import sync_playwright

        pw = None
        try:
            pw = sync_playwright().start()
            self._browser = pw.chromium.launch(executable_path=self.browser, headless=True,
                                               args=list(PRINT_FLAGS))
            # One offline context for the session (a new context per page costs more CPU than
            # the page); each page still opens in a fresh tab, in a renderer process of its own.
            self._context = self._browser.new_context(offline=True, service_workers="block")
            self._context.route("**/*", self._route)
        except Exception as exc:  # playwright.Error, OSError: any failure to start means fall back
            if pw is not None:
                with _quiet():
                    pw.stop()
            return f"{self.browser} could not be launched through Playwright ({_first_line(exc)})"
        self._pw = pw
        return None

    def _fall_back(self, why: str) -> None:
        log.warning("%s; printing each PDF with its own Chromium process instead (slower)", why)
        self.mode = "process"

    def close(self) -> None:
        """Close the browser session (a printer can be started again afterwards)."""
        with self._lock:
            if self._worker is not None:
                self._call(self._shut_down)
                self._worker.shutdown(wait=True)
                self._worker = None
            if self.blocked:
                log.warning("blocked %d network request(s) from report pages, e.g. %s",
                            len(self.blocked), self.blocked[0])
            self.mode = None

    def _shut_down(self) -> None:
        if self._browser is not None:
            with _quiet():
                self._browser.close()
        if self._pw is not None:
            with _quiet():
                self._pw.stop()
        self._browser = self._pw = self._context = None

    def print(self, html_path: Path, pdf_path: Path, *, timeout: float | None = None) -> Path:
        """Print one HTML file to PDF once its charts have drawn; the PDF is written atomically.

        Raises:
            RuntimeError: naming the file, if the page does not load or draw within the
                timeout, or the browser cannot print it.
        """
        return self.print_many([(html_path, pdf_path)], timeout=timeout)[0]

    def print_many(self, jobs: list[tuple[Path, Path]], *, timeout: float | None = None,
                   on_done: Callable[[Path], None] | None = None) -> list[Path]:
        """Print (html, pdf) pairs, loading up to ``concurrency`` pages at a time.

        Args:
            jobs: (HTML file, PDF to write) pairs.
            timeout: Seconds per page; default the printer's.
            on_done: Called (in the calling thread) with each PDF path once written, in the
                order of ``jobs``.

        Returns:
            The PDF paths, in the order of ``jobs``.

        Raises:
            RuntimeError: naming the file, for the first page that cannot be printed.
        """
        if self.mode is None:
            self.start()
        timeout = self.timeout if timeout is None else timeout
        done: list[Path] = []
        if self.mode == "process":
            for html_path, pdf_path in jobs:
                done.append(html_to_pdf(html_path, pdf_path, browser=self.browser,
                                        timeout=max(timeout, 30.0) + 60.0))
                self.printed += 1
                if on_done:
                    on_done(pdf_path)
            return done
        pending: list[tuple[Path, Path, object, list[str], float]] = []
        queue = list(jobs)
        try:
            while queue or pending:
                while queue and len(pending) < self.concurrency:
                    html_path, pdf_path = queue.pop(0)
                    opened = time.monotonic()
                    page, errors = self._call(self._open, html_path, timeout)
                    pending.append((html_path, pdf_path, page, errors, opened))
                html_path, pdf_path, page, errors, opened = pending.pop(0)
                try:
                    left = max(1.0, timeout - (time.monotonic() - opened))
                    self._call(self._print_page, page, html_path, pdf_path, wait=left, timeout=timeout,
                               errors=errors)
                finally:
                    self._call(_close_quietly, page)
                done.append(pdf_path)
                self.printed += 1
                if on_done:
                    on_done(pdf_path)
        finally:
            for _h, _p, page, *_ in pending:
                self._call(_close_quietly, page)
        return done

    def _open(self, html_path: Path, timeout: float):
        """A new page of the session that has started loading ``html_path``, and its list of errors."""
        from playwright.sync_api import Error as PlaywrightError

        if not html_path.is_file():
            raise RuntimeError(f"{html_path}: cannot print a PDF, no such HTML file")
        page = self._context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(html_path.resolve().as_uri(), wait_until="commit", timeout=timeout * 1000)
        except PlaywrightError as exc:
            _close_quietly(page)
            raise RuntimeError(f"{html_path}: Chromium could not open the page: {_first_line(exc)}") from None
        return page, errors

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
            return
        self.blocked.append(url)
        log.debug("blocked a network request from a report page: %s", url)
        route.abort("blockedbyclient")

    def _print_page(self, page, html_path: Path, pdf_path: Path, *, wait: float, timeout: float,
                    errors: list[str]) -> None:
        """Wait up to ``wait`` seconds for the charts (``timeout`` in all since the page opened), then print."""
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            page.wait_for_function(CHARTS_READY_JS, timeout=wait * 1000, polling=100)
        except PlaywrightTimeout:
            raise RuntimeError(
                f"{html_path}: the page's charts did not finish drawing within {timeout:g} s, so no PDF "
                f"was printed (console errors: {'; '.join(errors[:3]) or 'none'})") from None
        except PlaywrightError as exc:
            raise RuntimeError(f"{html_path}: Chromium failed while loading the page: {_first_line(exc)}") from None
        try:
            page.evaluate("() => document.fonts.ready.then(() => true)")
            data = page.pdf(prefer_css_page_size=True, print_background=True, display_header_footer=False)
        except PlaywrightError as exc:
            raise RuntimeError(f"{html_path}: Chromium could not print a PDF: {_first_line(exc)}") from None
        if not data:
            raise RuntimeError(f"{html_path}: Chromium printed an empty PDF")
        tmp = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.part")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, pdf_path)
        finally:
            tmp.unlink(missing_ok=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _close_quietly(page) -> None:
    with _quiet():
        page.close()


@contextlib.contextmanager
def _quiet():
    """Ignore errors while tearing a browser down (it may already have gone)."""
    try:
        yield
    except Exception as exc:  # teardown must not mask the real error
        log.debug("ignored while closing the browser: %s", exc)


def contents_html(entries: list[tuple[str, str, int]], *, title: str, date: str, corpus_note: str) -> str:
    """HTML of the contents page of the combined PDF: (title, subtitle, first page) per report."""
    rows = "".join(
        f"<tr><td class='t'>{html.escape(t)}<div class='s'>{html.escape(s)}</div></td>"
        f"<td class='p'>{page}</td></tr>"
        for t, s, page in entries
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
@page {{ size: A4; margin: 20mm 18mm; }}
body {{ font-family: "Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", sans-serif; color: #222; }}
h1 {{ font-size: 26px; border-bottom: 3px solid #1b6ca8; padding-bottom: 6px; margin-bottom: 4px; }}
.meta {{ color: #444; margin: 0 0 24px; }}
h2 {{ font-size: 16px; text-transform: uppercase; letter-spacing: .08em; color: #1b6ca8; }}
table {{ width: 100%; border-collapse: collapse; }}
td {{ padding: 6px 0; border-bottom: 1px dotted #aaa; vertical-align: bottom; }}
td.p {{ text-align: right; width: 60px; }}
.s {{ color: #666; font-size: 12px; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="meta">Report date <time>{html.escape(date)}</time> · {html.escape(corpus_note)}</p>
<h2>Contents</h2>
<table>{rows}</table>
</body></html>"""


def combine_pdfs(parts: list[tuple[str, str, Path]], out: Path, *, browser: str | None = None, title: str,
                 date: str, corpus_note: str, printer: PdfPrinter | None = None) -> Path:
    """Merge report PDFs into one shareable PDF with a contents page and bookmarks.

    Args:
        parts: (title, subtitle, pdf path) per report, in reading order.
        browser: Chromium executable that prints the contents page (without ``printer``).
        printer: Session that prints the contents page; preferred over ``browser``.

    Raises:
        ValueError: if neither ``printer`` nor ``browser`` is given.
    """
    if printer is None and not browser:
        raise ValueError("combine_pdfs needs a printer or a browser to print the contents page")
    from pypdf import PdfReader, PdfWriter

    readers = [(t, s, PdfReader(str(p))) for t, s, p in parts]
    # The contents page takes one page for up to ~25 entries; number pages after it.
    contents_pages = 1 + len(readers) // 26
    page = contents_pages + 1
    entries = []
    for t, s, reader in readers:
        entries.append((t, s, page))
        page += len(reader.pages)
    with tempfile.TemporaryDirectory(prefix="analysis-contents-") as tmp:
        html_file = Path(tmp) / "contents.html"
        html_file.write_text(contents_html(entries, title=title, date=date, corpus_note=corpus_note),
                             encoding="utf-8")
        if printer is not None:
            contents_pdf = printer.print(html_file, Path(tmp) / "contents.pdf")
        else:
            contents_pdf = html_to_pdf(html_file, Path(tmp) / "contents.pdf", browser=browser, budget_ms=2000)
        writer = PdfWriter()
        for p in PdfReader(str(contents_pdf)).pages:
            writer.add_page(p)
        for (t, _s, reader), (_, _, first) in zip(readers, entries, strict=True):
            start = len(writer.pages)
            for p in reader.pages:
                writer.add_page(p)
            writer.add_outline_item(title=t, page_number=start)
            del first
        writer.add_metadata({"/Title": f"{title} ({date})", "/Producer": f"analysis {__version__}"})
        tmp_out = out.with_name(f".{out.name}.part")
        with open(tmp_out, "wb") as fh:
            writer.write(fh)
        os.replace(tmp_out, out)
    return out
