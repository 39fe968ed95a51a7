"""label_snapshots: the horizon edges, outcome knowledge, dropped churned rows, bad input."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from nrr_engine.calibration.labels import label_snapshots, widen_signals

AS_OF = dt.date(2024, 12, 31)


def _history(rows):
    return pd.DataFrame(
        rows, columns=["account_id", "snapshot_date", "arr", "churn_date", "outcome_known_until"]
    )


def test_horizon_edges_and_knowledge():
    d = dt.date
    history = _history(
        [
            # churn exactly 90 days later: inside (snapshot, snapshot + 90]
            ("a", d(2024, 1, 1), 100.0, d(2024, 3, 31), AS_OF),
            # churn 91 days later: outside
            ("b", d(2024, 1, 1), 100.0, d(2024, 4, 1), AS_OF),
            # the account has churned at this snapshot: dropped
            ("b", d(2024, 4, 1), 0.0, None, AS_OF),
            # no churn, horizon ends exactly at the as-of date: known
            ("c", d(2024, 10, 2), 50.0, None, AS_OF),
            # no churn, horizon ends one day after the as-of date: not known yet
            ("c", d(2024, 10, 3), 50.0, None, AS_OF),
            # horizon not over, but the churn inside it has been seen: known
            ("d", d(2024, 12, 1), 70.0, d(2024, 12, 20), AS_OF),
            # unknown ARR is kept
            ("e", d(2024, 6, 1), None, None, AS_OF),
        ]
    )
    out = label_snapshots(history, horizon_days=90)
    assert out["account_id"].tolist() == ["a", "b", "c", "c", "d", "e"]
    assert out.index.tolist() == [0, 1, 3, 4, 5, 6]  # the input index is kept
    assert out["churned_within_horizon"].tolist() == [True, False, False, False, True, False]
    assert out["is_outcome_known"].tolist() == [True, True, True, False, True, True]
    assert out["days_to_churn"].tolist()[:2] == [90, 91]
    assert out["days_to_churn"].isna().tolist() == [False, False, True, True, False, True]
    assert out["days_to_churn"].dtype == "Int64"
    assert out["churned_within_horizon"].dtype == bool
    assert out["is_outcome_known"].dtype == bool
    assert out["snapshot_date"].dtype == "datetime64[us]"
    assert out["churn_date"].dtype == "datetime64[us]"
    # the input is not modified
    assert "churned_within_horizon" not in history.columns


def test_a_shorter_horizon_changes_the_label():
    history = _history([("a", dt.date(2024, 1, 1), 1.0, dt.date(2024, 2, 15), AS_OF)])
    assert bool(label_snapshots(history, 90)["churned_within_horizon"].iloc[0])
    assert not bool(label_snapshots(history, 30)["churned_within_horizon"].iloc[0])


def test_contradictory_outcomes_raise():
    d = dt.date
    with pytest.raises(ValueError, match="on or before"):
        label_snapshots(_history([("a", d(2024, 1, 1), 1.0, d(2024, 1, 1), AS_OF)]))
    with pytest.raises(ValueError, match="after"):
        label_snapshots(_history([("a", d(2024, 1, 1), 1.0, d(2025, 1, 1), AS_OF)]))
    with pytest.raises(KeyError):
        label_snapshots(_history([]).drop(columns="arr"))
    with pytest.raises(ValueError):
        label_snapshots(_history([]), horizon_days=0)


def test_widen_signals():
    long = pd.DataFrame(
        {
            "account_id": ["a", "a", "b"],
            "snapshot_date": [dt.date(2024, 1, 1)] * 3,
            "signal_name": ["usage_trend", "feature_breadth", "usage_trend"],
            "signal_score": [40, 55.5, 80],
        }
    )
    wide = widen_signals(long)
    assert list(wide.columns) == [
        "account_id",
        "snapshot_date",
        "signal_feature_breadth",
        "signal_usage_trend",
    ]
    assert wide["signal_usage_trend"].tolist() == [40.0, 80.0]
    assert np.isnan(wide["signal_feature_breadth"].iloc[1])
    with pytest.raises(ValueError):
        widen_signals(pd.concat([long, long]))
