"""Rendering: executed notebooks to offline HTML, HTML to PDF, and the combined PDF.

HTML reports load nothing over the network: the nbconvert template drops the
require.js, MathJax and mermaid tags of the lab template, and charts are drawn
by an inline Vega bundle from ``vl_convert``. PDFs are printed by headless
Chromium (Debian's ``chromium`` or Google Chrome).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analysis import __version__, config

log = logging.getLogger(__name__)

SPEC_MIME = "application/vnd.analysis.vegalite+json"
"""Type of the ``<script>`` element that carries a chart spec inside report HTML."""

RENDER_ENV = "ANALYSIS_RENDER"
"""Set to ``report`` (by the runner) to make charts render for offline HTML and PDF."""

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
  .analysis-chart, .vega-embed, table.analysis-table tr, .evidence, .conflict, figure { break-inside: avoid; }
  /* The lab CSS makes outputs unsplittable table cells; lay them out as plain blocks so long
     outputs flow across pages, while charts, table rows and evidence blocks stay whole. */
  .jp-Cell, .jp-OutputArea-child { break-inside: auto !important; }
  .jp-OutputArea-output { display: block !important; overflow: visible !important; break-inside: auto; }
  .jp-OutputArea-child, .jp-Cell-outputArea, .jp-OutputArea, .jp-Cell-outputWrapper { display: block !important; }
  .analysis-caption { break-before: avoid; }
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


def enable_chart_renderer() -> str:
    """Choose the Altair renderer: offline report HTML under the runner, JupyterLab's otherwise."""
    import altair as alt

    if "analysis_report" not in alt.renderers.names():
        alt.renderers.register("analysis_report", _report_renderer)
    if os.environ.get(RENDER_ENV) == "report":
        alt.renderers.enable("analysis_report")
        return "analysis_report"
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


def notebook_to_html(notebook: Path, out: Path, *, page: PageInfo) -> Path:
    """Export an executed notebook to a self-contained offline HTML page with code hidden."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = page.title
    exporter = HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(config.TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
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
    body, _ = exporter.from_notebook_node(nb, resources=resources)
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


def combine_pdfs(parts: list[tuple[str, str, Path]], out: Path, *, browser: str, title: str, date: str,
                 corpus_note: str) -> Path:
    """Merge report PDFs into one shareable PDF with a contents page and bookmarks.

    Args:
        parts: (title, subtitle, pdf path) per report, in reading order.
    """
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
        contents_pdf = html_to_pdf(html_file, Path(tmp) / "contents.pdf", browser=browser, budget_ms=2000)
        writer = PdfWriter()
        for p in PdfReader(str(contents_pdf)).pages:
            writer.add_page(p)
        for (t, _s, reader), (_, _, first) in zip(readers, entries, strict=True):
            start = len(writer.pages)
            for p in reader.pages:
                writer.add_page(p)
            writer.add_outline_item(t, start)
            del first
        writer.add_metadata({"/Title": f"{title} ({date})", "/Producer": f"analysis {__version__}"})
        tmp_out = out.with_name(f".{out.name}.part")
        with open(tmp_out, "wb") as fh:
            writer.write(fh)
        os.replace(tmp_out, out)
    return out
