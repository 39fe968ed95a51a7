"""Below the stated minimums the calibration pipeline returns an `insufficient_data` result with
the reason instead of raising or publishing figures (docs/definitions.md#minimums).

The histories are built so that the counts are known by construction: `retained` accounts that
never churn, `train_churners` that churn in weeks 20-30 (well before any walk-forward cutoff of
a 104-week history, which lands near week 73) and `test_churners` that churn in weeks 95-100
(after it). A churn event is one account's churn date, so each churner is one event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nrr_engine.calibration import pipeline
from nrr_engine.calibration.pipeline import INSUFFICIENT, REPORTED, Minimums

START = pd.Timestamp("2023-01-02")
WEEKS = 104
SIGNALS = ["usage_trend", "feature_breadth"]
VALUE_COLUMNS = {
    "usage_trend_value": 1.0,
    "champion_activity_value": 5.0,
    "stakeholder_changes_value": 0.0,
    "ticket_tone_value": 0.1,
    "feature_breadth_value": 0.8,
    "competitor_signals_value": 0.0,
    "payment_behaviour_value": 0.0,
    "nps_change_value": 0.0,
    "days_to_renewal_value": 200.0,
}


def history(retained: int, train_churners: int, test_churners: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    rows = []
    accounts = (
        [(f"r{i:03d}", None) for i in range(retained)]
        + [(f"a{i:03d}", 20 + i % 11) for i in range(train_churners)]
        + [(f"z{i:03d}", 95 + i % 6) for i in range(test_churners)]
    )
    as_of = START + pd.Timedelta(weeks=WEEKS - 1)
    for account, churn_week in accounts:
        last_week = WEEKS - 1 if churn_week is None else churn_week - 1
        churn_date = None if churn_week is None else START + pd.Timedelta(weeks=churn_week)
        for week in range(last_week + 1):
            near_churn = churn_week is not None and churn_week - week <= 12
            base = 45.0 if near_churn else 75.0
            scores = {f"{s}_score": base + rng.normal(0, 5) for s in SIGNALS}
            categories = {f"{c}_score": base + rng.normal(0, 5) for c in pipeline.CATEGORIES}
            composite = float(np.mean(list(categories.values())))
            rows.append(
                {
                    "account_id": account,
                    "snapshot_date": START + pd.Timedelta(weeks=week),
                    "arr": 12_000.0,
                    "churn_date": churn_date,
                    "outcome_known_until": as_of,
                    "composite_score": composite,
                    "band": "healthy" if composite >= 70 else "at_risk",
                    **scores,
                    **categories,
                    **VALUE_COLUMNS,
                }
            )
    return pd.DataFrame(rows)


def minimums(churn_events=30, retained=30, per_group=20, accounts=30, events=10) -> Minimums:
    return Minimums(churn_events, retained, per_group, accounts, events)


def test_zero_churn_is_insufficient_not_an_error():
    """This book made the fit raise `need churned and retained rows to fit` before."""
    run = pipeline.calibrate(history(40, 0, 0), SIGNALS, minimums())
    assert run.prior.status == run.calibrated.status == INSUFFICIENT
    assert run.signal_model is None and run.category_model is None
    assert "0 churn events in the test period; at least 30 are needed" in run.prior.reason
    assert "0 churn events in the training snapshots" in run.calibrated.reason
    assert "retained" not in run.prior.reason  # 40 retained accounts pass their minimum

    summary = pipeline.backtest_summary(run)
    assert set(summary["status"]) == {INSUFFICIENT}
    figures = summary[~summary["metric"].isin(pipeline.COUNT_METRICS)]
    assert figures["value"].isna().all()
    churn_events = summary.loc[summary["metric"] == "churn_events", "value"]
    assert (churn_events == 0).all()
    deciles = pipeline.backtest_deciles(run)
    assert list(deciles["score_name"]) == ["prior", "calibrated"]
    assert deciles["status_reason"].str.contains("0 churn events in the test period").all()


def test_one_churn_event_in_the_test_period_is_named_in_the_singular():
    run = pipeline.calibrate(history(40, 35, 1), SIGNALS, minimums())
    assert run.prior.status == INSUFFICIENT
    assert run.prior.reason.startswith(
        "1 churn event in the test period; at least 30 are needed (calibration_min_churn_events)"
    )
    # the training side has its 35 events: only the test side falls short
    assert "training" not in run.calibrated.reason
    weights = pipeline.calibrated_weights(
        run,
        {"usage_trend": 0.5, "feature_breadth": 0.5},
        {"usage_trend": "engagement", "feature_breadth": "adoption"},
        {c: 0.25 for c in pipeline.CATEGORIES},
    )
    assert set(weights["status"]) == {INSUFFICIENT}
    assert weights["coefficient"].isna().all() and weights["calibrated_weight"].isna().all()
    assert weights["status_reason"].str.endswith("the prior weights stay").all()
    # the prior stays: the seed's shares, untouched
    signal_rows = weights[weights["level"] == "signal"]
    assert signal_rows["prior_share"].tolist() == [0.5, 0.5]


@pytest.mark.parametrize("minimum, expected", [(3, REPORTED), (4, INSUFFICIENT)])
def test_exactly_the_minimum_is_enough(minimum, expected):
    """3 churners on each side: a minimum of 3 reports, 4 does not."""
    run = pipeline.calibrate(history(5, 3, 3), SIGNALS, minimums(churn_events=minimum, retained=5))
    assert run.counts["test_churn_events"] == 3
    assert run.counts["train_churn_events"] == 3
    assert run.prior.status == expected
    assert run.calibrated.status == expected
    if expected == REPORTED:
        assert run.prior.reason is None
        summary = pipeline.backtest_summary(run)
        auc = summary.loc[summary["metric"] == "roc_auc", "value"]
        assert auc.notna().all()
    else:
        assert "3 churn events in the test period; at least 4 are needed" in run.prior.reason


def test_retained_accounts_have_their_own_minimum():
    run = pipeline.calibrate(history(5, 3, 3), SIGNALS, minimums(churn_events=3, retained=6))
    assert run.prior.reason == (
        "5 retained accounts in the test period; at least 6 are needed "
        "(calibration_min_retained_accounts)"
    )


def test_snapshots_without_a_score_are_left_out_and_counted():
    frame = history(40, 0, 0)
    unscored = frame.index[:7]
    frame.loc[unscored, "composite_score"] = np.nan
    frame.loc[unscored, "band"] = "insufficient_data"
    run = pipeline.calibrate(frame, SIGNALS, minimums())
    assert run.counts["excluded_snapshots"] == 7
    assert len(run.labelled) == len(frame) - 7
    assert run.prior.reason.endswith("7 snapshots without a health score left out")


def test_signal_lift_needs_flagged_and_unflagged_accounts():
    frame = history(25, 35, 0)
    # flag usage_drop_over_40pct (usage_trend < 0.6) on every snapshot of 20 accounts
    flagged = sorted(frame["account_id"].unique())[:20]
    frame.loc[frame["account_id"].isin(flagged), "usage_trend_value"] = 0.1
    table = pipeline.predictive_signals(frame, minimums(per_group=20)).set_index("signal")
    row = table.loc["usage_drop_over_40pct"]
    assert row["flagged_accounts"] == 20 and row["status"] == REPORTED
    assert not np.isnan(row["lift"])
    # the never-firing signals flag no account at all
    assert table.loc["competitor_signals", "status"] == INSUFFICIENT
    assert (
        "0 flagged accounts; at least 20 are needed"
        in table.loc["competitor_signals", "status_reason"]
    )
    assert np.isnan(table.loc["competitor_signals", "lift"])

    stricter = pipeline.predictive_signals(frame, minimums(per_group=21)).set_index("signal")
    assert stricter.loc["usage_drop_over_40pct", "status"] == INSUFFICIENT
    assert stricter.loc["usage_drop_over_40pct", "status_reason"].startswith(
        "20 flagged accounts; at least 21 are needed"
    )
    assert stricter.loc["usage_drop_over_40pct", "n_flagged"] > 0  # counts stay


def test_signal_lift_needs_churn_events_in_the_history():
    table = pipeline.predictive_signals(history(40, 0, 0), minimums())
    assert set(table["status"]) == {INSUFFICIENT}
    assert (
        table["status_reason"]
        .str.startswith("0 churn events in the labelled history; at least 30 are needed")
        .all()
    )
    assert table["lift"].isna().all()


def tenures(segment_sizes: dict[str, tuple[int, int]]) -> pd.DataFrame:
    rows = []
    for segment, (accounts, churned) in segment_sizes.items():
        for i in range(accounts):
            rows.append(
                {
                    "tenure_days": 30.0 + 10 * i,
                    "churned": i < churned,
                    "signup_cohort": "2024-Q1",
                    "segment": segment,
                }
            )
    return pd.DataFrame(rows)


def test_survival_curves_only_for_groups_at_their_minimums():
    curves = pipeline.survival_curves(
        tenures({"smb": (30, 10), "enterprise": (29, 10), "mid_market": (40, 9)}), minimums()
    )
    by_segment = curves[curves["dimension_name"] == "segment"].groupby("dimension_value")
    smb = by_segment.get_group("smb")
    assert set(smb["status"]) == {REPORTED} and len(smb) == 30
    enterprise = by_segment.get_group("enterprise")
    assert len(enterprise) == 1 and enterprise["survival"].isna().all()
    assert enterprise["status_reason"].iloc[0] == (
        "29 accounts in this group; at least 30 are needed (survival_min_accounts)"
    )
    assert enterprise["at_risk"].iloc[0] == 29 and enterprise["events"].iloc[0] == 10
    mid = by_segment.get_group("mid_market")
    assert mid["status_reason"].iloc[0] == (
        "9 churn events in this group; at least 10 are needed (survival_min_events)"
    )
    # the one cohort holds all 99 accounts and 29 churns: reported
    cohort = curves[curves["dimension_name"] == "signup_cohort"]
    assert set(cohort["status"]) == {REPORTED}


def test_survival_of_an_empty_book_says_so():
    empty = pd.DataFrame(columns=["tenure_days", "churned", "signup_cohort", "segment"])
    curves = pipeline.survival_curves(empty, minimums())
    assert list(curves["dimension_name"]) == ["signup_cohort", "segment"]
    assert (curves["status"] == INSUFFICIENT).all()
    assert curves["status_reason"].str.startswith("0 accounts; at least 30").all()


def test_minimums_come_from_the_vars_and_must_be_set():
    values = {var: "7" for var in pipeline.MINIMUM_VARS.values()}
    assert Minimums.from_vars(values) == Minimums(7, 7, 7, 7, 7)
    del values["survival_min_events"]
    with pytest.raises(ValueError, match="survival_min_events is not set"):
        Minimums.from_vars(values)
    with pytest.raises(ValueError, match="must be a whole number >= 1"):
        Minimums(0, 1, 1, 1, 1)


# --------------------------------------------------------------------------- dbt build

CALIBRATION_MARTS = (
    "fct_health_backtest",
    "fct_health_backtest_deciles",
    "fct_health_backtest_bands",
    "fct_churn_signal_lift",
    "fct_logo_survival",
    "calibrated_health_weights",
    "fct_churn_timing",
)


def test_a_book_with_too_few_churn_events_builds_and_says_why(tiny_build):
    """The tiny book (5 accounts, 3 churns) builds; every calibration mart has its
    insufficient_data rows, and each reason names the count and the minimum. The test period's
    churn events are counted here from the labelled snapshots with plain Python: the cutoff is
    the latest snapshot date from which on at least 30% of the scored live snapshots lie."""
    for mart in CALIBRATION_MARTS:
        statuses = tiny_build.query(
            f"select status, status_reason from calibration.{mart}"  # noqa: S608
        )
        assert statuses, mart
        assert {s for s, _ in statuses} == {INSUFFICIENT}, mart
        assert all(r and "; at least " in r and " are needed (" in r for _, r in statuses), mart

    snapshots = tiny_build.query(
        "select account_id, snapshot_date, churn_date from "
        "intermediate.int_health_snapshots_labelled where is_scored and arr > 0"
    )
    per_date: dict = {}
    for _, snapshot_date, _ in snapshots:
        per_date[snapshot_date] = per_date.get(snapshot_date, 0) + 1
    seen = 0
    for date in sorted(per_date, reverse=True):
        seen += per_date[date]
        if seen >= 0.3 * len(snapshots):
            cutoff = date
            break
    events = {(a, c) for a, _, c in snapshots if c is not None and c >= cutoff}
    expected = (
        f"{len(events)} churn event{'' if len(events) == 1 else 's'} in the test period; "
        "at least 30 are needed (calibration_min_churn_events)"
    )
    reasons = tiny_build.query(
        "select distinct score_name, status_reason, test_period_start "
        "from calibration.fct_health_backtest"
    )
    assert {score for score, _, _ in reasons} == {"prior", "calibrated"}
    for _, reason, test_start in reasons:
        assert expected in reason
        assert test_start == cutoff
    churn_events = tiny_build.query(
        "select distinct value from calibration.fct_health_backtest where metric = 'churn_events'"
    )
    assert churn_events == [(float(len(events)),)]

    # churn timing: the book's churns, counted from the paid periods (3 in the tiny book)
    (churns,) = tiny_build.query(
        "select count(*) from intermediate.int_account_paid_periods_islanded "
        "where period_end is not null"
    )[0]
    overall = tiny_build.query(
        "select timing_grain, churn_events, status_reason from calibration.fct_churn_timing "
        "where dimension_name = 'all' order by timing_grain"
    )
    assert [(g, n) for g, n, _ in overall] == [
        ("playbook_bucket", churns),
        ("tenure_month", churns),
    ]
    assert all(r.startswith(f"{churns} churn events; at least 10") for _, _, r in overall)
