"""Kaplan-Meier against a hand-computed table, per group, and the churn-timing buckets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nrr_engine.calibration.survival import (
    churn_timing_buckets,
    churn_timing_share,
    kaplan_meier,
    km_by_group,
)

DURATIONS = [1, 2, 2, 3, 4, 4, 5, 6]
OBSERVED = [True, True, False, True, False, True, True, False]
# time: at risk, churns, censored -> S
#   1:  8, 1, 0 -> 7/8                 = 0.875
#   2:  7, 1, 1 -> 0.875 * 6/7         = 0.75
#   3:  5, 1, 0 -> 0.75 * 4/5          = 0.6
#   4:  4, 1, 1 -> 0.6 * 3/4           = 0.45
#   5:  2, 1, 0 -> 0.45 * 1/2          = 0.225
#   6:  1, 0, 1 -> 0.225
HAND = pd.DataFrame(
    {
        "time": [1.0, 2, 3, 4, 5, 6],
        "at_risk": [8, 7, 5, 4, 2, 1],
        "events": [1, 1, 1, 1, 1, 0],
        "censored": [0, 1, 0, 1, 0, 1],
        "survival": [0.875, 0.75, 0.6, 0.45, 0.225, 0.225],
    }
).astype({"at_risk": np.int64, "events": np.int64, "censored": np.int64})


def test_kaplan_meier_matches_the_hand_computed_table():
    got = kaplan_meier(DURATIONS, OBSERVED)
    pd.testing.assert_frame_equal(got, HAND, check_exact=False, rtol=1e-12)


def test_kaplan_meier_order_does_not_matter_and_inputs_are_checked():
    order = [7, 3, 0, 5, 1, 6, 2, 4]
    got = kaplan_meier(
        np.array(DURATIONS)[order], pd.Series(OBSERVED).iloc[order].reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(got, HAND, check_exact=False, rtol=1e-12)
    assert kaplan_meier([], []).empty
    with pytest.raises(ValueError):
        kaplan_meier([1, -1], [True, True])
    with pytest.raises(ValueError):
        kaplan_meier([1, None], [True, True])
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [True])


def test_km_by_group_runs_the_estimator_per_group():
    frame = pd.DataFrame(
        {
            "segment": ["smb"] * 8 + ["enterprise"] * 3,
            "days": DURATIONS + [10, 20, 30],
            "churned": OBSERVED + [False, True, False],
        }
    )
    got = km_by_group(frame, "days", "churned", "segment")
    assert list(got.columns) == ["segment", *HAND.columns]
    assert got["segment"].tolist() == ["enterprise"] * 3 + ["smb"] * 6
    smb = got[got["segment"] == "smb"].drop(columns="segment").reset_index(drop=True)
    pd.testing.assert_frame_equal(smb, HAND, check_exact=False, rtol=1e-12)
    ent = got[got["segment"] == "enterprise"]
    assert ent["survival"].tolist() == pytest.approx([1.0, 0.5, 0.5])


def test_churn_timing_bucket_edges():
    days = pd.Series([0, 30, 30.5, 31, 90, 91, 180, 181, 1000, None])
    got = churn_timing_buckets(days)
    assert got.iloc[:9].tolist() == [
        "0-30",
        "0-30",
        "31-90",
        "31-90",
        "31-90",
        "91-180",
        "91-180",
        "180+",
        "180+",
    ]
    assert pd.isna(got.iloc[9])
    assert got.dtype == "str"
    with pytest.raises(ValueError):
        churn_timing_buckets([-1])


def test_churn_timing_share_lists_every_bucket():
    table = churn_timing_share([5, 10, 200, 60])
    assert table["bucket"].tolist() == ["0-30", "31-90", "91-180", "180+"]
    assert table["churn_events"].tolist() == [2, 1, 0, 1]
    assert table["share"].tolist() == pytest.approx([0.5, 0.25, 0.0, 0.25])
