"""Walk-forward (time-ordered) train/test split of labelled snapshots.

A snapshot's label looks ``horizon`` days into the future, so a plain "train on dates before the
cutoff" split still leaks: a snapshot one week before the cutoff is labelled with churn that happens
up to ``horizon - 7`` days *after* the cutoff, i.e. during the test period. The split therefore
leaves a gap (an embargo) of ``gap_days`` (set it to the label horizon) before the cutoff::

    train:     snapshot_date + gap_days <= cutoff and snapshot_date < cutoff
               (the whole label window (snapshot_date, snapshot_date + horizon] ends by then)
    embargoed: cutoff - gap_days < snapshot_date < cutoff   (dropped from both sides)
    test:      snapshot_date >= cutoff

Consequences:

* nothing is ever random: the split depends only on the dates;
* an account-period (account, snapshot_date) is never on both sides, and no train label window
  overlaps the test period; the same *account* can appear on both sides at different dates, as it
  would when a model trained on last year's snapshots scores this year's;
* if the labels were computed with ``outcome_known_until`` >= cutoff, every train row has a known
  outcome by construction, while the newest test rows may not: filter the test side on
  ``is_outcome_known`` before measuring it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nrr_engine.calibration._frames import as_pandas, require_columns, to_datetime


@dataclass(frozen=True)
class WalkForwardSplit:
    """The two sides of a walk-forward split.

    ``train`` and ``test`` keep every input column and the input index; ``n_embargoed`` counts the
    rows that fell in the gap and are in neither.
    """

    train: pd.DataFrame
    test: pd.DataFrame
    cutoff_date: pd.Timestamp
    gap_days: int
    n_embargoed: int


def cutoff_for_test_fraction(dates, test_fraction: float) -> pd.Timestamp:
    """The latest snapshot date ``d`` such that rows dated ``>= d`` are at least ``test_fraction``.

    Ties are never split: all rows of one snapshot date land on the same side.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    values = to_datetime(dates, "dates").dropna()
    if values.empty:
        raise ValueError("no dates to split")
    counts = values.value_counts().sort_index(ascending=False)
    share_on_or_after = counts.cumsum().to_numpy() / len(values)
    first_enough = int(np.argmax(share_on_or_after >= test_fraction - 1e-12))
    return pd.Timestamp(counts.index[first_enough])


def walk_forward_split(
    frame,
    date_col: str = "snapshot_date",
    *,
    test_fraction: float | None = None,
    cutoff_date=None,
    gap_days: int = 90,
) -> WalkForwardSplit:
    """Split by time at a cutoff, leaving ``gap_days`` before it out of training.

    Give exactly one of ``cutoff_date`` (a date) or ``test_fraction`` (the cutoff is then
    ``cutoff_for_test_fraction(frame[date_col], test_fraction)``). ``gap_days`` should equal the
    label horizon (``label_snapshots(horizon_days=...)``); 0 gives a plain before/after split.
    Either side can be empty (e.g. too little history before the cutoff): the fit then refuses.
    """
    if (test_fraction is None) == (cutoff_date is None):
        raise ValueError("give exactly one of test_fraction or cutoff_date")
    if int(gap_days) != gap_days or gap_days < 0:
        raise ValueError(f"gap_days must be a non-negative whole number, got {gap_days!r}")
    data = as_pandas(frame)
    require_columns(data, [date_col], "frame")
    dates = to_datetime(data[date_col], date_col)
    if dates.isna().any():
        raise ValueError(f"{date_col} must not be null")
    if cutoff_date is None:
        cutoff = cutoff_for_test_fraction(dates, float(test_fraction))
    else:
        cutoff = pd.Timestamp(cutoff_date)
    is_test = (dates >= cutoff).to_numpy(dtype=bool)
    # `~is_test` keeps the cutoff date itself out of training when gap_days is 0.
    is_train = (dates + pd.Timedelta(days=int(gap_days)) <= cutoff).to_numpy(dtype=bool) & ~is_test
    return WalkForwardSplit(
        train=data.loc[is_train].copy(),
        test=data.loc[is_test].copy(),
        cutoff_date=cutoff,
        gap_days=int(gap_days),
        n_embargoed=int((~is_train & ~is_test).sum()),
    )
