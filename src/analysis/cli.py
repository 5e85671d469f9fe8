"""Command line: ``python -m analysis report [options]``."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

from analysis import __version__, config, report

EPILOG = """\
exit status:
  0  reports written (at least one document reported; rejected inputs are listed in
     data/rejected.csv and in the report's "Data quality" section)
  1  the run failed (a notebook or PDF step failed); earlier
     reports are left intact and the failed notebook is kept under OUT/.failed/
  2  invalid parameters (checked before any kernel starts), or no usable document in the
     corpus: the first 20 rejected inputs are printed with the reason (also with --quiet),
     and all of them are in rejected.csv of the failed run under OUT/.failed/
  3  --strict was given and at least one input was rejected or altered
     (the reports are still written)

examples:
  python -m analysis report                                  # the seed corpus, today's date
  python -m analysis report --corpus ~/articles --jobs 4
  python -m analysis report --corpus export.jsonl --group-by category --formats html
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``analysis`` command."""
    parser = argparse.ArgumentParser(prog="python -m analysis",
                                     description="Compare how news sources cover the 2025 US-China tariff war.")
    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="build dated HTML and PDF reports from a corpus",
                         formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
                         description="Build dated HTML and PDF reports comparing the sources of a corpus.")
    rep.add_argument("--corpus", type=Path, default=config.DEFAULT_CORPUS,
                     help="a folder of articles, a .csv or a .jsonl file (default: the seed corpus, %(default)s)")
    rep.add_argument("--out", type=Path, default=config.REPORTS_DIR,
                     help="output folder; reports go to OUT/DATE/ (default: %(default)s)")
    rep.add_argument("--date", default=date.today().isoformat(),
                     help="report date, YYYY-MM-DD (default: today, %(default)s)")
    rep.add_argument("--formats", default="html,pdf", help="comma-separated: html, pdf (default: %(default)s)")
    rep.add_argument("--jobs", type=int, default=2, help="notebooks, PDFs and annotation processes run in "
                     "parallel (default: %(default)s)")
    rep.add_argument("--group-by", default="source", help="metadata column the sources are grouped by, "
                     "e.g. source, country, category (default: %(default)s)")
    rep.add_argument("--dask", default=None, metavar="ADDRESS",
                     help="annotate on a Dask cluster: a scheduler address (tcp://HOST:PORT) or 'local' to start "
                     "a LocalCluster with --jobs workers (default: local processes)")
    rep.add_argument("--strict", action="store_true", help="exit with status 3 when any input was rejected")
    rep.add_argument("--quiet", action="store_true", help="no progress lines or bars")
    rep.add_argument("--cache-dir", type=Path, default=None,
                     help=f"cache folder: annotations, extracted rows, and (in DIR/runs) the tables and "
                          f"reports of earlier runs (default: {config.ANNOTATION_CACHE_DIR} and "
                          f"{config.RUN_CACHE_DIR})")
    rep.add_argument("--no-cache", dest="use_cache", action="store_false",
                     help="a cold run: annotate, extract and render everything again, reading and writing no cache")
    rep.add_argument("--profiles", type=_profiles, default=report.DEFAULT_PROFILES, metavar="N|all",
                     dest="max_profiles",
                     help="profile the N groups with the most documents, or all of them; the index lists every "
                     "group and says which are profiled (default: %(default)s)")
    rep.add_argument("--max-profiles", type=_profiles, dest="max_profiles", default=argparse.SUPPRESS,
                     help=argparse.SUPPRESS)
    order = rep.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="date_order", action="store_const", const="dayfirst",
                       help="read numeric dates as day/month/year (12/05/2025 is 12 May); default: detected per file")
    order.add_argument("--monthfirst", dest="date_order", action="store_const", const="monthfirst",
                       help="read numeric dates as month/day/year (05/12/2025 is 12 May)")
    rep.add_argument("--outlet-map", type=Path, default=None, metavar="FILE",
                     help="CSV with columns from,to that renames or merges outlets (e.g. edition.cnn.com,CNN)")
    return parser


def _profiles(value: str) -> int | None:
    """``--profiles``: a whole number (0 or more) or ``all`` (None)."""
    if value.strip().lower() == "all":
        return None
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or 'all', got {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {n}")
    return n


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    # As in the report kernels (see report.KERNEL_SETUP): skip jsonschema's optional IRI grammar.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s",
                        stream=sys.stderr)
    for noisy in ("papermill", "traitlets", "nbconvert", "distributed", "trafilatura", "htmldate", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("analysis.corpus").setLevel(logging.ERROR)  # rejections are printed by the runner
    params = report.RunParams(
        corpus=args.corpus, out=args.out, date=args.date, formats=tuple(args.formats.split(",")),
        jobs=args.jobs, group_by=args.group_by, strict=args.strict, quiet=args.quiet,
        cache_dir=args.cache_dir, max_profiles=args.max_profiles, dask=args.dask,
        date_order=args.date_order, outlet_map=args.outlet_map, use_cache=args.use_cache,
    )
    try:
        run = report.run_report(params)
    except report.ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return report.EXIT_USAGE
    except (report.RunFailed, RuntimeError, OSError, KeyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return report.EXIT_FAILED
    if args.strict and run["rejected"]:
        print(f"--strict: {run['rejected']} input(s) rejected or altered; see data/rejected.csv", file=sys.stderr)
        return report.EXIT_STRICT
    return report.EXIT_OK
