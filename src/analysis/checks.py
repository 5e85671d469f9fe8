"""Input checks shared by the analysis modules: fail loudly, naming the input and what is missing."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def require_columns(df: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """Check that ``df`` is a DataFrame with every column in ``columns``.

    Raises:
        TypeError: if ``df`` is not a DataFrame.
        ValueError: naming ``name`` and the missing columns.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name} lacks columns {missing}; it has {list(df.columns)}")
