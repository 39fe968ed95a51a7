"""Kaplan-Meier survival curves and the playbook's churn-timing buckets.

``kaplan_meier`` is the product-limit estimator written out in numpy: at each distinct time ``t``
with ``d`` churns among the ``n`` accounts still at risk (duration ``>= t``),
``S(t) = S(t-) * (1 - d / n)``. Censored accounts (still customers, ``observed`` False) leave the
risk set *after* the churns at their time, the usual convention.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nrr_engine.calibration._frames import as_pandas, require_columns, to_flag, to_float

KM_COLUMNS = {
    "time": np.float64,
    "at_risk": np.int64,
    "events": np.int64,
    "censored": np.int64,
    "survival": np.float64,
}

#: the playbook's churn-timing cohorts (days since first revenue), in order
CHURN_TIMING_BUCKETS = ("0-30", "31-90", "91-180", "180+")


def kaplan_meier(durations, observed) -> pd.DataFrame:
    """Kaplan-Meier estimate of the share still retained after each duration.

    ``durations``: non-negative numbers (e.g. days from first revenue to churn or to the as-of
    date), no nulls. ``observed``: True if the duration ends in churn, False if censored.

    One row per distinct duration, ascending: ``time`` (float64), ``at_risk`` (int64, durations
    ``>= time``), ``events`` (int64, churns at ``time``), ``censored`` (int64, censored at
    ``time``), ``survival`` (float64, S(time) after that row's churns). No row for time 0 is added
    unless a duration is 0; S is 1 before the first row. Empty input gives an empty frame.
    """
    t = to_float(durations, "durations")
    e = to_flag(observed, "observed")
    if len(t) != len(e):
        raise ValueError(f"durations and observed differ in length: {len(t)} vs {len(e)}")
    if np.isnan(t).any():
        raise ValueError("durations has nulls")
    if (t < 0).any():
        raise ValueError("durations must be non-negative")
    times, inverse = np.unique(t, return_inverse=True)
    total = np.bincount(inverse, minlength=len(times))
    events = np.bincount(inverse, weights=e.astype(float), minlength=len(times)).astype(np.int64)
    at_risk = len(t) - (np.cumsum(total) - total)  # durations >= time
    survival = np.cumprod(1.0 - events / at_risk)
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk,
            "events": events,
            "censored": total - events,
            "survival": survival,
        }
    ).astype(KM_COLUMNS)


def km_by_group(
    frame, duration_col: str, event_col: str, group_cols: str | Sequence[str]
) -> pd.DataFrame:
    """``kaplan_meier`` per group: the group columns (input dtypes; null is its own group), then
    the ``kaplan_meier`` columns. Groups are sorted, rows within a group by time."""
    data = as_pandas(frame)
    groups = [group_cols] if isinstance(group_cols, str) else list(group_cols)
    if not groups:
        raise ValueError("group_cols is empty")
    require_columns(data, [duration_col, event_col, *groups], "frame")
    parts = []
    for key, part in data.groupby(groups, sort=True, dropna=False):
        curve = kaplan_meier(part[duration_col], part[event_col])
        values = key if isinstance(key, tuple) else (key,)
        for name, value in zip(groups, values, strict=True):
            curve.insert(groups.index(name), name, value)
        parts.append(curve)
    if not parts:
        empty = data[groups].iloc[:0].reset_index(drop=True)
        return pd.concat([empty, pd.DataFrame(columns=list(KM_COLUMNS))], axis=1).astype(KM_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out.astype({name: data[name].dtype for name in groups} | KM_COLUMNS)


def churn_timing_buckets(days_since_first_revenue) -> pd.Series:
    """The playbook's churn-timing cohort of a churn, from days since the account's first revenue.

    ``0 <= d <= 30`` -> ``'0-30'``; ``30 < d <= 90`` -> ``'31-90'``; ``90 < d <= 180`` ->
    ``'91-180'``; ``d > 180`` -> ``'180+'`` (so day 30 is in '0-30', day 90 in '31-90', day 180
    in '91-180', day 181 in '180+'; fractional days go by the same inequalities). Nulls stay null;
    negative days raise ValueError. Returns a str Series with the input's index.
    """
    s = pd.Series(days_since_first_revenue)
    d = to_float(s, "days_since_first_revenue")
    if (d[~np.isnan(d)] < 0).any():
        raise ValueError("days since first revenue must be non-negative")
    labels = np.select([d <= 30, d <= 90, d <= 180, d > 180], list(CHURN_TIMING_BUCKETS), "")
    out = pd.Series(labels, index=s.index, dtype="str")
    return out.where(~np.isnan(d), None).astype("str")


def churn_timing_share(days_since_first_revenue) -> pd.DataFrame:
    """How churn splits across the timing buckets: the "[X]% of all churn" of the playbook.

    Columns: ``bucket`` (str, all four in order, even if empty), ``churn_events`` (int64),
    ``share`` (float64, of the non-null inputs; NaN if there are none).
    """
    buckets = churn_timing_buckets(days_since_first_revenue).dropna()
    counts = buckets.value_counts().reindex(list(CHURN_TIMING_BUCKETS), fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame(
        {
            "bucket": pd.Series(CHURN_TIMING_BUCKETS, dtype="str"),
            "churn_events": counts.to_numpy(dtype=np.int64),
            "share": counts.to_numpy(dtype=float) / total if total else np.nan,
        }
    )
