"""Write tables for people to open: CSV that a spreadsheet will not run as formulas.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be
run as a formula by spreadsheet programs (CSV injection, see OWASP). Such cells get
a leading single quote, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_csv_value(value: object) -> object:
    """Neutralise one cell: prefix a quote to strings a spreadsheet would run as a formula.

    Non-string values (numbers, dates, None) are returned unchanged, so negative
    numbers stay numbers.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a frame with every string cell (and column name) made safe for spreadsheets."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_csv_value)
    out.columns = [safe_csv_value(c) if isinstance(c, str) else c for c in out.columns]
    return out


def write_safe_csv(rows: Iterable[Sequence[object]], path: Path | str, *, header: Sequence[str]) -> Path:
    """Write rows as UTF-8 CSV with a header, neutralising formula-like cells.

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([safe_csv_value(h) for h in header])
        for row in rows:
            writer.writerow([safe_csv_value(v) for v in row])
    return path


def write_frame_csv(df: pd.DataFrame, path: Path | str, **kwargs: object) -> Path:
    """Write a frame as UTF-8 CSV (no index) after :func:`neutralise_formulas`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("index", False)
    neutralise_formulas(df).to_csv(path, encoding="utf-8", **kwargs)
    return path
