"""signal_table on a hand-made labelled frame (horizon 90 days).

    row  account  snapshot    churn       label  known  flag_x  flag_z
    a1   a        2024-02-01  2024-06-01  F      T      F       -     (121 days: outside)
    a2   a        2024-03-15  2024-06-01  T      T      T       -     (78 days)
    a3   a        2024-05-01  2024-06-01  T      T      T       -     (31 days)
    b1   b        2024-03-01  2024-04-10  T      T      F       T     (40 days)
    b2   b        2024-04-01  2024-04-10  T      T      T       -     (9 days)
    c1   c        2024-02-01  -           F      T      T       -
    c2   c        2024-03-01  -           F      T      F       -
    c3   c        2024-04-01  -           F      T      F       -
    d1   d        2024-12-01  -           F      F      T       -     (outcome not known yet)

flag_x over the 8 known rows: flagged a2 a3 b2 c1 -> 3/4 churned; unflagged a1 b1 c2 c3 -> 1/4;
lift 3. Churn events a and b; a first flagged inside its horizon at a2 (78 days), b at b2 (9 days):
both covered, median lead 43.5.
flag_z (nulls = not flagged): flagged b1 -> 1/1; unflagged 3/7; lift 7/3; only b covered, lead 40.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from nrr_engine.calibration.signals import COLUMNS, signal_table

d = dt.date
FRAME = pd.DataFrame(
    {
        "account_id": list("aaabbcccd"),
        "snapshot_date": pd.to_datetime(
            [
                d(2024, 2, 1),
                d(2024, 3, 15),
                d(2024, 5, 1),
                d(2024, 3, 1),
                d(2024, 4, 1),
                d(2024, 2, 1),
                d(2024, 3, 1),
                d(2024, 4, 1),
                d(2024, 12, 1),
            ]
        ),
        "churn_date": pd.to_datetime(
            [d(2024, 6, 1)] * 3 + [d(2024, 4, 10)] * 2 + [None] * 4  # type: ignore[list-item]
        ),
        "churned_within_horizon": [False, True, True, True, True, False, False, False, False],
        "is_outcome_known": [True] * 8 + [False],
        "flag_x": [False, True, True, False, True, True, False, False, True],
    },
    index=[f"r{i}" for i in range(9)],
)
FLAG_Z = [None, None, None, True, None, None, None, None, None]


def test_signal_table_by_hand():
    table = signal_table(
        FRAME,
        {
            "x": "flag_x",
            "z": FLAG_Z,
            "never": pd.Series(False, index=FRAME.index),
        },
        "churned_within_horizon",
        90,
    )
    assert list(table.columns) == list(COLUMNS)
    assert table["signal"].tolist() == ["x", "z", "never"]
    x, z, never = (table.iloc[i] for i in range(3))

    assert (x["n_rows"], x["n_flagged"], x["n_flagged_churned"]) == (8, 4, 3)
    assert x["churn_rate_flagged"] == pytest.approx(0.75)
    assert x["churn_rate_unflagged"] == pytest.approx(0.25)
    assert x["lift"] == pytest.approx(3.0)
    assert (x["churn_events"], x["churn_events_flagged"]) == (2, 2)
    assert x["share_of_churn_events_flagged"] == pytest.approx(1.0)
    assert x["median_lead_days"] == pytest.approx(43.5)

    assert (z["n_flagged"], z["n_flagged_churned"]) == (1, 1)
    assert z["churn_rate_unflagged"] == pytest.approx(3 / 7)
    assert z["lift"] == pytest.approx(7 / 3)
    assert z["churn_events_flagged"] == 1
    assert z["share_of_churn_events_flagged"] == pytest.approx(0.5)
    assert z["median_lead_days"] == pytest.approx(40)

    assert never["n_flagged"] == 0
    assert np.isnan(never["churn_rate_flagged"]) and np.isnan(never["lift"])
    assert np.isnan(never["median_lead_days"]) and never["churn_events_flagged"] == 0

    for name, dtype in COLUMNS.items():
        assert table[name].dtype == dtype, name


def test_a_shorter_horizon_only_counts_late_flags_for_lead_time():
    table = signal_table(FRAME, {"x": "flag_x"}, horizon=30)
    # within 30 days before churn: only b2 (9 days); a3 is 31 days ahead
    assert table["churn_events_flagged"].iloc[0] == 1
    assert table["median_lead_days"].iloc[0] == pytest.approx(9)


def test_misaligned_flags_are_refused():
    with pytest.raises(ValueError):
        signal_table(FRAME, {"x": [True, False]})
    with pytest.raises(ValueError):
        signal_table(FRAME, {"x": pd.Series(True, index=range(9))})
    with pytest.raises(KeyError):
        signal_table(FRAME, {"x": "flag_missing"})
