"""Small input helpers shared by the calibration modules (private).

Every public function accepts a pandas DataFrame, or anything with a ``to_pandas()`` (polars,
pyarrow) or ``df()`` (a DuckDB relation, as a dbt-duckdb Python model hands over) method, and
never modifies its input.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def as_pandas(frame) -> pd.DataFrame:
    """Return ``frame`` as a pandas DataFrame (no copy if it already is one)."""
    if isinstance(frame, pd.DataFrame):
        return frame
    for method in ("to_pandas", "df"):
        convert = getattr(frame, method, None)
        if callable(convert):
            out = convert()
            if isinstance(out, pd.DataFrame):
                return out
    raise TypeError(f"expected a pandas DataFrame (or polars/pyarrow/DuckDB), got {type(frame)!r}")


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise KeyError naming every missing column."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{what}: missing column(s) {missing}; have {list(frame.columns)}")


def to_datetime(values, name: str) -> pd.Series:
    """Dates (date objects, strings, datetime64) as a tz-naive ``datetime64[us]`` Series.

    Microseconds, not pandas' nanoseconds: DuckDB reads ``datetime64[us]`` back as a plain
    TIMESTAMP (``[ns]`` would become TIMESTAMP_NS).
    """
    out = pd.to_datetime(pd.Series(values), errors="raise")
    if getattr(out.dt, "tz", None) is not None:
        raise ValueError(f"{name}: expected dates without a time zone")
    return out.astype("datetime64[us]")


def to_label(values, name: str) -> np.ndarray:
    """A 0/1 outcome (bool, nullable boolean, or 0/1 numbers) as a numpy int64 array.

    Nulls and any value other than 0/1/True/False raise ValueError: an outcome must be known.
    """
    series = pd.Series(values)
    if series.isna().any():
        raise ValueError(f"{name}: {int(series.isna().sum())} null outcome(s)")
    arr = series.to_numpy()
    if arr.dtype == bool:
        return arr.astype(np.int64)
    numeric = pd.to_numeric(series, errors="raise").to_numpy(dtype=float)
    if not np.isin(numeric, (0.0, 1.0)).all():
        raise ValueError(f"{name}: outcomes must be 0/1 or booleans")
    return numeric.astype(np.int64)


def to_flag(values, name: str) -> np.ndarray:
    """A boolean flag as a numpy bool array; nulls count as *not flagged*."""
    series = pd.Series(values)
    filled = series.astype("boolean").fillna(False)
    if not isinstance(filled.dtype, pd.BooleanDtype):  # pragma: no cover - defensive
        raise ValueError(f"{name}: cannot read as boolean")
    return filled.to_numpy(dtype=bool)


def to_float(values, name: str) -> np.ndarray:
    """Numbers as a float64 numpy array (nulls become NaN)."""
    return pd.to_numeric(pd.Series(values), errors="raise").to_numpy(dtype=float, na_value=np.nan)


def known_mask(frame: pd.DataFrame, known_col: str | None) -> np.ndarray:
    """Rows whose outcome is known: ``frame[known_col]`` if that column exists, else all rows."""
    if known_col is None or known_col not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return to_flag(frame[known_col], known_col)
