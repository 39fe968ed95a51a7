"""Which boolean signals precede churn, how strongly, and how early.

This is the data behind the playbook's "Predictive Signal Identification" table (signal, churn
correlation, lead time): for each signal, the churn rate of snapshots with and without it, the lift,
and the median lead time from the first flagged snapshot to churn.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from nrr_engine.calibration._frames import (
    as_pandas,
    known_mask,
    require_columns,
    to_datetime,
    to_flag,
    to_label,
)
from nrr_engine.calibration.labels import DEFAULT_HORIZON_DAYS

COLUMNS = {
    "signal": "str",
    "n_rows": np.int64,
    "n_flagged": np.int64,
    "n_flagged_churned": np.int64,
    "churn_rate_flagged": np.float64,
    "churn_rate_unflagged": np.float64,
    "lift": np.float64,
    "churn_events": np.int64,
    "churn_events_flagged": np.int64,
    "share_of_churn_events_flagged": np.float64,
    "median_lead_days": np.float64,
}


def _resolve_flag(frame: pd.DataFrame, name: str, flag) -> np.ndarray:
    if isinstance(flag, str):
        require_columns(frame, [flag], f"signal {name!r}")
        return to_flag(frame[flag], name)
    if isinstance(flag, pd.Series):
        if not flag.index.equals(frame.index):
            raise ValueError(f"signal {name!r}: a Series flag must have the frame's index")
        return to_flag(flag, name)
    values = to_flag(list(flag) if not isinstance(flag, np.ndarray) else flag, name)
    if len(values) != len(frame):
        raise ValueError(f"signal {name!r}: {len(values)} flags for {len(frame)} rows")
    return values


def signal_table(
    history,
    signal_flags: Mapping[str, object],
    label_col: str = "churned_within_horizon",
    horizon: int = DEFAULT_HORIZON_DAYS,
    *,
    account_col: str = "account_id",
    date_col: str = "snapshot_date",
    churn_col: str = "churn_date",
    known_col: str | None = "is_outcome_known",
) -> pd.DataFrame:
    """Per signal: how often it fires, churn with and without it, lift, coverage and lead time.

    ``history`` is labelled snapshots (the output of ``label_snapshots`` with the same ``horizon``).
    ``signal_flags`` maps a signal name to a boolean column name of ``history``, or to a boolean
    array/Series aligned with it (a Series must have ``history``'s index). Null flags count as not
    flagged.

    Rates use the rows whose outcome is known (``known_col`` True, if that column exists):

    ``n_rows``, ``n_flagged``, ``n_flagged_churned``
        known rows; flagged known rows; flagged known rows that churned within the horizon.
    ``churn_rate_flagged`` / ``churn_rate_unflagged``
        mean of ``label_col`` over flagged / unflagged known rows (NaN if there are none).
    ``lift``
        ``churn_rate_flagged / churn_rate_unflagged`` (NaN if the unflagged rate is 0 or NaN).

    Lead time uses every row with a churn date (outcome known by definition). A churn event is a
    distinct (account, ``churn_date``):

    ``churn_events``
        the number of churn events in ``history``.
    ``churn_events_flagged``
        events with a flagged snapshot inside the horizon before them (``churn_date - horizon <=
        snapshot_date < churn_date``); ``share_of_churn_events_flagged`` is the share of all events.
    ``median_lead_days``
        median over those events of the days from their *first* such flagged snapshot to the churn
        date (NaN if none): how much warning the signal gives.

    One row per signal, in the order of ``signal_flags``; dtypes as in ``COLUMNS``.
    """
    if int(horizon) != horizon or horizon <= 0:
        raise ValueError("horizon must be a positive whole number of days")
    frame = as_pandas(history)
    require_columns(frame, [account_col, date_col, churn_col, label_col], "history")
    known = known_mask(frame, known_col)
    y = to_label(frame.loc[known, label_col], label_col)
    dates = to_datetime(frame[date_col], date_col).reset_index(drop=True)
    churn = to_datetime(frame[churn_col], churn_col).reset_index(drop=True)
    days_before = (churn - dates).dt.days.to_numpy(dtype=float, na_value=np.nan)
    in_horizon = (days_before > 0) & (days_before <= int(horizon))
    events = pd.DataFrame(
        {"account": frame[account_col].reset_index(drop=True), "churn": churn}
    ).loc[churn.notna().to_numpy()]
    n_events = len(events.drop_duplicates())

    rows = []
    for name, flag in signal_flags.items():
        flagged_all = _resolve_flag(frame, name, flag)
        flagged = flagged_all[known]
        n_flagged = int(flagged.sum())
        rate_with = float(y[flagged].mean()) if n_flagged else np.nan
        rate_without = float(y[~flagged].mean()) if (~flagged).any() else np.nan
        lift = rate_with / rate_without if rate_without > 0 else np.nan

        preceded = flagged_all & in_horizon
        first_flags = (
            events.assign(lead=days_before[events.index])
            .loc[preceded[events.index]]
            .groupby(["account", "churn"], sort=False)["lead"]
            .max()  # the earliest flagged snapshot has the longest lead
        )
        rows.append(
            {
                "signal": str(name),
                "n_rows": len(y),
                "n_flagged": n_flagged,
                "n_flagged_churned": int(y[flagged].sum()),
                "churn_rate_flagged": rate_with,
                "churn_rate_unflagged": rate_without,
                "lift": lift,
                "churn_events": n_events,
                "churn_events_flagged": len(first_flags),
                "share_of_churn_events_flagged": len(first_flags) / n_events
                if n_events
                else np.nan,
                "median_lead_days": float(first_flags.median()) if len(first_flags) else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(COLUMNS)
