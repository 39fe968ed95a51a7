"""early_warning on a hand-made history whose answers are worked out below.

As of 2024-12-31, horizon 90 days, lead 30 days, threshold 50 (flag = score < 50):

* A churns 2024-06-01. Flagged 2024-04-01 (61 days ahead, ARR 1000): warned, lead 61.
  Last live ARR 1200 (2024-05-01, score 55, not flagged).
* B churns 2024-06-01. Only flagged 2024-05-15, 17 days ahead: too late -> not warned (but
  warnable: it had snapshots 30+ days ahead). ARR 3000.
* C churns 2024-07-01. Its only snapshot is 11 days ahead: not warnable, not warned. ARR 500.
* D never churns; flagged 2024-03-01 and 2024-04-01, both horizons observed -> a false alarm.
* E never churns; flagged 2024-11-01, horizon not over at the as-of date -> not counted.
* F churns 2024-02-01 (flagged 2024-01-01, 31 days ahead: warned, lead 31, ARR 800), has a
  snapshot with ARR 0 (ignored, even though its score is 5), then comes back without churning.

Churn events A, B, C, F: 4; warnable A, B, F; warned A, F -> 2/4. Churned ARR
1200 + 3000 + 500 + 800 = 5500, warned 1200 + 800 = 2000. Median lead (61, 31) = 46.
Flagged accounts A, B, C, D, F (each flag of A, B, C, F is followed by churn within 90 days; D's
are not) -> false-alarm rate 1/5. Counting flagged snapshots: A 1, B 1, C 1, D 2, F 1 = 6, of which
D's 2 are false -> 1/3.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from nrr_engine.calibration.metrics import early_warning, early_warning_events

d = dt.date
AS_OF = d(2024, 12, 31)
ROWS = [
    # account, snapshot, score, arr, churn_date
    ("A", d(2024, 3, 1), 80, 1000, d(2024, 6, 1)),
    ("A", d(2024, 4, 1), 45, 1000, d(2024, 6, 1)),
    ("A", d(2024, 5, 1), 55, 1200, d(2024, 6, 1)),
    ("B", d(2024, 3, 1), 70, 3000, d(2024, 6, 1)),
    ("B", d(2024, 4, 1), 65, 3000, d(2024, 6, 1)),
    ("B", d(2024, 5, 15), 40, 3000, d(2024, 6, 1)),
    ("C", d(2024, 6, 20), 20, 500, d(2024, 7, 1)),
    ("D", d(2024, 3, 1), 45, 2000, None),
    ("D", d(2024, 4, 1), 48, 2000, None),
    ("D", d(2024, 5, 1), 90, 2000, None),
    ("E", d(2024, 3, 1), 90, 100, None),
    ("E", d(2024, 11, 1), 10, 100, None),
    ("F", d(2024, 1, 1), 40, 800, d(2024, 2, 1)),
    ("F", d(2024, 2, 15), 5, 0, None),
    ("F", d(2024, 3, 1), 60, 800, None),
]
HISTORY = pd.DataFrame(
    ROWS, columns=["account_id", "snapshot_date", "composite_score", "arr", "churn_date"]
).assign(outcome_known_until=AS_OF)


def test_early_warning_summary_by_hand():
    row = early_warning(HISTORY, "composite_score", threshold=50, lead_days=30).iloc[0]
    assert row["churn_events"] == 4
    assert row["churn_events_warnable"] == 3
    assert row["churn_events_warned"] == 2
    assert row["warned_share"] == pytest.approx(0.5)
    assert row["churned_arr"] == pytest.approx(5500)
    assert row["warned_arr"] == pytest.approx(2000)
    assert row["warned_arr_share"] == pytest.approx(2000 / 5500)
    assert row["median_lead_days"] == pytest.approx(46)
    assert row["flagged_accounts"] == 5
    assert row["false_alarm_accounts"] == 1
    assert row["false_alarm_rate"] == pytest.approx(0.2)
    assert row["flagged_snapshots"] == 6
    assert row["false_alarm_snapshots"] == 2
    assert row["snapshot_false_alarm_rate"] == pytest.approx(1 / 3)


def test_early_warning_dtypes():
    out = early_warning(HISTORY, "composite_score", threshold=50)
    assert len(out) == 1
    assert out["churn_events"].dtype == np.int64
    assert out["warned_share"].dtype == np.float64
    assert out["threshold"].dtype == np.float64


def test_early_warning_events_by_hand():
    events = early_warning_events(HISTORY, "composite_score", threshold=50, lead_days=30)
    assert events["account_id"].tolist() == ["F", "A", "B", "C"]
    assert events["churn_date"].tolist() == [
        pd.Timestamp(x) for x in ["2024-02-01", "2024-06-01", "2024-06-01", "2024-07-01"]
    ]
    assert events["warned"].tolist() == [True, True, False, False]
    assert events["warnable"].tolist() == [True, True, True, False]
    assert events["lead_days"].tolist()[:2] == [31, 61]
    assert events["lead_days"].isna().tolist() == [False, False, True, True]
    assert events["first_warning_date"].tolist()[:2] == [
        pd.Timestamp("2024-01-01"),
        pd.Timestamp("2024-04-01"),
    ]
    assert events["arr_last_known"].tolist() == [800, 1200, 3000, 500]
    assert events["arr_at_first_warning"].tolist()[:2] == [800, 1000]
    assert events["churn_date"].dtype == "datetime64[us]"


def test_lead_window_bounds_change_the_answer():
    # a 15-day lead lets B's late flag (17 days ahead) count
    row = early_warning(HISTORY, "composite_score", threshold=50, lead_days=15).iloc[0]
    assert row["churn_events_warned"] == 3  # A, B, F
    # a cap of 45 days drops A's only flag (61 days ahead)
    row = early_warning(HISTORY, "composite_score", 50, 30, max_lead_days=45).iloc[0]
    assert row["churn_events_warned"] == 1  # F
    # the false-alarm side does not depend on the lead window
    assert row["false_alarm_rate"] == pytest.approx(0.2)
    # a 60-day horizon turns A's flag (61 days before churn) into a false alarm, and makes E's
    # 2024-11-01 flag count (its horizon ends on the as-of date) -- as a false alarm too
    row = early_warning(HISTORY, "composite_score", 50, 30, horizon_days=60).iloc[0]
    assert row["flagged_accounts"] == 6
    assert row["false_alarm_accounts"] == 3  # A, D and E


def test_risk_scores_flag_above_the_threshold():
    risk = HISTORY.assign(risk=100 - HISTORY["composite_score"])
    below = early_warning(HISTORY, "composite_score", 50)
    above = early_warning(risk, "risk", 50, flag_when="above")
    cols = [c for c in below.columns if c != "threshold"]
    pd.testing.assert_frame_equal(below[cols], above[cols])


def test_null_scores_never_flag_and_no_churn_gives_nan_shares():
    quiet = HISTORY[HISTORY["account_id"].isin(["D", "E"])].assign(composite_score=np.nan)
    row = early_warning(quiet, "composite_score", 50).iloc[0]
    assert row["churn_events"] == 0 and row["flagged_accounts"] == 0
    assert np.isnan(row["warned_share"]) and np.isnan(row["false_alarm_rate"])
