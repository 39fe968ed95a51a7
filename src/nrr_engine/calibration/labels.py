"""Churn labels for weekly health snapshots.

One row per account per snapshot comes in, with two outcome columns the SQL provides:

* ``churn_date``: the first date after the snapshot on which the account's ARR went to 0; null if
  it has not (yet) happened by the as-of date.
* ``outcome_known_until``: the as-of date of the data (the last day on which churn could have been
  observed).

``label_snapshots`` turns those into the label the calibration is trained on: did the account churn
within ``horizon_days`` after the snapshot, and do we know yet?
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrr_engine.calibration._frames import as_pandas, require_columns, to_datetime, to_float

DEFAULT_HORIZON_DAYS = 90


def label_snapshots(
    history,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    *,
    account_col: str = "account_id",
    date_col: str = "snapshot_date",
    arr_col: str = "arr",
    churn_col: str = "churn_date",
    known_col: str = "outcome_known_until",
) -> pd.DataFrame:
    """Label every live snapshot with its churn outcome over the next ``horizon_days``.

    Rows whose ``arr`` is 0 (or negative) are dropped: the account had already churned at that
    snapshot, so there is nothing left to predict. Rows with a null ``arr`` are kept (an unknown
    ARR is not evidence of churn). Every other input column is returned unchanged, in the input
    order and with the input index; ``snapshot_date``, ``churn_date`` and ``outcome_known_until``
    are converted to ``datetime64[us]``. Three columns are added:

    ``churned_within_horizon`` (bool)
        ``snapshot_date < churn_date <= snapshot_date + horizon_days``.
    ``days_to_churn`` (Int64, nullable)
        ``churn_date - snapshot_date`` in days, whatever the horizon; null when there is no churn
        date.
    ``is_outcome_known`` (bool)
        ``snapshot_date + horizon_days <= outcome_known_until`` (the whole horizon has been
        observed) **or** ``churned_within_horizon`` (the churn has already been seen). Only these
        rows may be used to train or evaluate; for the others ``churned_within_horizon`` is False
        merely because the future has not happened yet.

    Raises ValueError if the outcome columns contradict their definitions (a churn date on or
    before the snapshot date of a live row, or after ``outcome_known_until``).
    """
    if int(horizon_days) != horizon_days or horizon_days <= 0:
        raise ValueError(f"horizon_days must be a positive whole number, got {horizon_days!r}")
    frame = as_pandas(history)
    require_columns(frame, [account_col, date_col, arr_col, churn_col, known_col], "history")

    arr = to_float(frame[arr_col], arr_col)
    out = frame.loc[~(arr <= 0)].copy()
    snapshot = to_datetime(out[date_col], date_col)
    churn = to_datetime(out[churn_col], churn_col)
    known_until = to_datetime(out[known_col], known_col)
    if snapshot.isna().any() or known_until.isna().any():
        raise ValueError(f"{date_col} and {known_col} must not be null")

    bad_order = churn.notna() & (churn <= snapshot)
    if bad_order.any():
        raise ValueError(
            f"{int(bad_order.sum())} live snapshot(s) (arr > 0) have {churn_col} on or before "
            f"{date_col}; {churn_col} must be the next churn *after* the snapshot"
        )
    after_as_of = churn.notna() & (churn > known_until)
    if after_as_of.any():
        raise ValueError(f"{int(after_as_of.sum())} row(s) have {churn_col} after {known_col}")

    horizon_end = snapshot + pd.Timedelta(days=int(horizon_days))
    churned = (churn.notna() & (churn <= horizon_end)).to_numpy(dtype=bool)
    out[date_col] = snapshot
    out[churn_col] = churn
    out[known_col] = known_until
    out["churned_within_horizon"] = churned
    out["days_to_churn"] = (churn - snapshot).dt.days.astype("Int64")
    out["is_outcome_known"] = (horizon_end <= known_until).to_numpy(dtype=bool) | churned
    return out


def widen_signals(
    long,
    *,
    index_cols: tuple[str, ...] = ("account_id", "snapshot_date"),
    name_col: str = "signal_name",
    value_col: str = "signal_score",
    prefix: str = "signal_",
) -> pd.DataFrame:
    """Pivot a long signal table (one row per account, snapshot and signal) to one row per snapshot.

    Returns ``index_cols`` plus one float64 column ``prefix + name`` per distinct signal name
    (sorted), null where a snapshot has no value for a signal. Raises ValueError on duplicate
    (``index_cols``, ``name_col``) rows rather than silently averaging them.
    """
    frame = as_pandas(long)
    require_columns(frame, [*index_cols, name_col, value_col], "long signal table")
    keys = [*index_cols, name_col]
    if frame.duplicated(keys).any():
        raise ValueError(f"duplicate rows for {keys}")
    values = frame.assign(**{value_col: to_float(frame[value_col], value_col)})
    wide = values.pivot(index=list(index_cols), columns=name_col, values=value_col)
    wide = wide.reindex(columns=sorted(wide.columns))
    wide.columns = [f"{prefix}{name}" for name in wide.columns]
    return wide.reset_index().astype({c: np.float64 for c in wide.columns})
