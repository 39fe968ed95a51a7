"""Walk-forward split and the calibrated model on a synthetic weekly health history.

The synthetic book plants the answer: adoption collapses in the 12 weeks before churn, engagement
sags less, sentiment is pure noise and commercial is half-informative with nulls. The fitted weights
must find that ordering, and the split must never let a training label see the test period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nrr_engine.calibration.labels import label_snapshots
from nrr_engine.calibration.metrics import roc_auc, summary_metrics
from nrr_engine.calibration.model import (
    calibrated_health_score,
    fit_calibrated_weights,
    health_band,
    score,
    score_frame,
    weights_table,
)
from nrr_engine.calibration.split import cutoff_for_test_fraction, walk_forward_split

FEATURES = ["adoption_score", "engagement_score", "sentiment_score", "commercial_score"]
PRIOR = {
    "adoption_score": 35,
    "engagement_score": 25,
    "sentiment_score": 20,
    "commercial_score": 20,
}
HORIZON = 90


def synthetic_history(n_accounts: int = 300, weeks: int = 104, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-02")
    as_of = start + pd.Timedelta(weeks=weeks - 1)
    churns = rng.random(n_accounts) < 0.45
    churn_week = np.where(churns, rng.integers(8, weeks + 40, n_accounts), 10**6)
    account = np.repeat(np.arange(n_accounts), weeks)
    week = np.tile(np.arange(weeks), n_accounts)
    cw = churn_week[account]
    keep = week <= cw  # one snapshot with ARR 0 at the churn week, none after
    account, week, cw = account[keep], week[keep], cw[keep]
    n = len(account)
    decline = np.clip(1 - (cw - week) / 12, 0, 1)  # 0 far from churn, 1 at churn
    base = rng.normal(0, 8, n_accounts)[account]

    def clip(x):
        return np.clip(x, 0, 100)

    commercial = clip(60 - 12 * decline + rng.normal(0, 15, n))
    commercial[rng.random(n) < 0.2] = np.nan
    frame = pd.DataFrame(
        {
            "account_id": [f"acc_{a:04d}" for a in account],
            "snapshot_date": start + pd.to_timedelta(week * 7, unit="D"),
            "segment": np.array(["smb", "mid_market", "enterprise"])[account % 3],
            "adoption_score": clip(72 + base - 45 * decline + rng.normal(0, 6, n)),
            "engagement_score": clip(65 - 25 * decline + rng.normal(0, 12, n)),
            "sentiment_score": clip(60 + rng.normal(0, 15, n)),
            "commercial_score": commercial,
            "arr": np.where(week == cw, 0.0, 12_000.0 + 1000 * (account % 7)),
            "churn_date": pd.Series(start + pd.to_timedelta(cw * 7, unit="D")).where(cw < weeks),
            "outcome_known_until": as_of,
        }
    )
    filled = frame[FEATURES].fillna(60)
    frame["composite_score"] = filled @ np.array([0.35, 0.25, 0.2, 0.2])
    frame["band"] = health_band(frame["composite_score"]).to_numpy()
    return frame


@pytest.fixture(scope="module")
def labelled() -> pd.DataFrame:
    return label_snapshots(synthetic_history(), horizon_days=HORIZON)


@pytest.fixture(scope="module")
def split(labelled):
    return walk_forward_split(labelled, "snapshot_date", test_fraction=0.25, gap_days=HORIZON)


@pytest.fixture(scope="module")
def fitted(split):
    return fit_calibrated_weights(split.train, FEATURES)


# ------------------------------------------------------------------------------------ split


def test_walk_forward_split_never_leaks(labelled, split):
    train, test, cutoff = split.train, split.test, split.cutoff_date
    assert len(train) > 0 and len(test) > 0
    assert train["snapshot_date"].max() + pd.Timedelta(days=HORIZON) <= cutoff
    assert test["snapshot_date"].min() >= cutoff
    keys = ["account_id", "snapshot_date"]
    both = train[keys].merge(test[keys], on=keys)
    assert both.empty
    assert not set(train.index) & set(test.index)
    assert len(train) + len(test) + split.n_embargoed == len(labelled)
    assert split.n_embargoed > 0


def test_train_labels_are_the_same_when_computed_at_the_cutoff(labelled, split):
    """Re-label as if the data ended at the cutoff: no training label may change."""
    history = synthetic_history()
    at_cutoff = history[history["snapshot_date"] < split.cutoff_date].copy()
    at_cutoff["outcome_known_until"] = split.cutoff_date
    at_cutoff["churn_date"] = at_cutoff["churn_date"].where(
        at_cutoff["churn_date"] <= split.cutoff_date
    )
    relabelled = label_snapshots(at_cutoff, horizon_days=HORIZON).loc[split.train.index]
    assert relabelled["is_outcome_known"].all()
    pd.testing.assert_series_equal(
        relabelled["churned_within_horizon"], split.train["churned_within_horizon"]
    )


def test_test_fraction_picks_the_latest_whole_snapshot_date(labelled, split):
    dates = labelled["snapshot_date"]
    share = (dates >= split.cutoff_date).mean()
    assert share >= 0.25
    later = dates[dates > split.cutoff_date].min()
    assert (dates >= later).mean() < 0.25
    assert split.cutoff_date == cutoff_for_test_fraction(dates, 0.25)


def test_explicit_cutoff_and_gap_zero(labelled):
    cutoff = pd.Timestamp("2024-06-03")  # a snapshot Monday
    plain = walk_forward_split(labelled, cutoff_date=cutoff, gap_days=0)
    assert plain.train["snapshot_date"].max() == cutoff - pd.Timedelta(days=7)
    assert plain.test["snapshot_date"].min() == cutoff
    assert plain.n_embargoed == 0
    gapped = walk_forward_split(labelled, cutoff_date="2024-06-03", gap_days=HORIZON)
    assert gapped.train["snapshot_date"].max() + pd.Timedelta(days=HORIZON) <= cutoff
    with pytest.raises(ValueError):
        walk_forward_split(labelled, cutoff_date=cutoff, test_fraction=0.2)
    with pytest.raises(ValueError):
        walk_forward_split(labelled)


# ------------------------------------------------------------------------------------ model


def test_weights_table_finds_the_planted_ordering(fitted):
    table = weights_table(fitted, PRIOR)
    assert list(table.columns) == [
        "feature",
        "coefficient",
        "odds_ratio_per_sd",
        "direction",
        "normalised_share",
        "prior_weight",
        "prior_share",
        "share_change",
    ]
    assert table["feature"].tolist() == FEATURES
    assert table["normalised_share"].sum() == pytest.approx(1.0)
    assert table["prior_share"].sum() == pytest.approx(1.0)
    assert table["share_change"].sum() == pytest.approx(0.0, abs=1e-12)
    assert table["prior_share"].tolist() == pytest.approx([0.35, 0.25, 0.2, 0.2])
    by = table.set_index("feature")
    assert by.loc["adoption_score", "direction"] == "protective"
    assert by.loc["engagement_score", "direction"] == "protective"
    assert by["normalised_share"].idxmax() == "adoption_score"
    assert by["normalised_share"].idxmin() == "sentiment_score"
    assert by["odds_ratio_per_sd"].tolist() == pytest.approx(np.exp(by["coefficient"]).tolist())
    assert table["feature"].dtype == "str" and table["direction"].dtype == "str"


def test_weights_table_without_priors_and_bad_priors(fitted):
    table = weights_table(fitted)
    assert table["prior_weight"].isna().all() and table["prior_share"].isna().all()
    partial = weights_table(fitted, {"adoption_score": 3, "engagement_score": 1})
    assert partial["prior_share"].tolist()[:2] == pytest.approx([0.75, 0.25])
    assert partial["prior_share"].iloc[2:].isna().all()
    with pytest.raises(ValueError, match="does not have"):
        weights_table(fitted, {"logins": 1.0})


def test_the_fit_is_deterministic(split, fitted):
    again = fit_calibrated_weights(split.train, FEATURES)
    np.testing.assert_array_equal(again.coefficients, fitted.coefficients)
    assert again.intercept == fitted.intercept


def test_unweighted_fit_is_calibrated_and_balanced_is_not(split, fitted):
    train = split.train
    base_rate = train["churned_within_horizon"].mean()
    assert score(fitted, train).mean() == pytest.approx(base_rate, abs=1e-3)
    balanced = fit_calibrated_weights(train, FEATURES, class_weight="balanced")
    assert score(balanced, train).mean() > base_rate + 0.1


def test_holdout_is_predictive(split, fitted):
    test = split.test[split.test["is_outcome_known"]]
    p = score(fitted, test)
    row = summary_metrics(test["churned_within_horizon"], p).iloc[0]
    assert row["roc_auc"] > 0.8
    assert row["brier_skill"] > 0
    # the calibrated score ranks better than the hand-weighted composite
    composite_auc = roc_auc(test["churned_within_horizon"], 100 - test["composite_score"])
    assert row["roc_auc"] >= composite_auc - 0.01


def test_unknown_outcomes_are_not_trained_on(split, fitted):
    noisy = split.train.copy()
    extra = noisy.iloc[:500].copy()
    extra.index = extra.index + 10**7
    extra["churned_within_horizon"] = ~extra["churned_within_horizon"]
    extra["is_outcome_known"] = False
    refit = fit_calibrated_weights(pd.concat([noisy, extra]), FEATURES)
    np.testing.assert_allclose(refit.coefficients, fitted.coefficients)
    assert refit.n_train == fitted.n_train


def test_score_keeps_the_index_and_health_score_is_100_minus(split, fitted):
    sample = split.test.iloc[[5, 3, 1]]
    p = score(fitted, sample)
    assert p.index.tolist() == sample.index.tolist() and p.name == "churn_probability"
    assert ((p > 0) & (p < 1)).all() and p.dtype == np.float64
    health = calibrated_health_score(p)
    assert health.tolist() == pytest.approx((100 * (1 - p)).tolist())
    scored = score_frame(fitted, sample)
    assert {"churn_probability", "calibrated_health_score", "calibrated_band"} <= set(scored)
    assert "churn_probability" not in sample.columns
    assert score(fitted, sample.iloc[:0]).empty
    with pytest.raises(ValueError):
        calibrated_health_score([0.5, 1.5])


def test_health_band_edges():
    got = health_band([100, 85, 84.99, 70, 69.9, 50, 49.5, 25, 24.9, 0, None])
    assert got.iloc[:10].tolist() == [
        "thriving",
        "thriving",
        "healthy",
        "healthy",
        "at_risk",
        "at_risk",
        "critical",
        "critical",
        "churning",
        "churning",
    ]
    assert pd.isna(got.iloc[10])


def test_fit_refuses_one_class_and_keeps_an_all_null_feature(split):
    train = split.train
    with pytest.raises(ValueError, match="churned and retained"):
        fit_calibrated_weights(train[~train["churned_within_horizon"]], FEATURES)
    with_empty = train.assign(signal_nps=np.nan)
    fitted = fit_calibrated_weights(with_empty, [*FEATURES, "signal_nps"])
    table = weights_table(fitted)
    assert table["feature"].tolist()[-1] == "signal_nps"
    assert table["coefficient"].iloc[-1] == 0.0
    assert table["direction"].iloc[-1] == "none"
    assert table["normalised_share"].sum() == pytest.approx(1.0)
