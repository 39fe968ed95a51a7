"""The calibration run behind the dbt Python models: one function per published table.

Every model calls :func:`calibrate` on the same labelled history (deterministic, so each model
gets the same split and fit) and publishes one part of the result. The split is walk-forward by
time: the model learns from older snapshots whose 90-day outcome was complete before the cutoff
and is scored on the newer ones (docs/definitions.md#calibration). Nothing is tuned on the test
period: the regularisation strength is fixed and the prior weights come from the seeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nrr_engine.calibration.labels import label_snapshots
from nrr_engine.calibration.metrics import (
    calibration_by_decile,
    early_warning,
    lift_by_band,
    summary_metrics,
)
from nrr_engine.calibration.model import (
    FittedChurnModel,
    calibrated_health_score,
    fit_calibrated_weights,
    health_band,
    score,
    weights_table,
)
from nrr_engine.calibration.signals import signal_table
from nrr_engine.calibration.split import WalkForwardSplit, walk_forward_split
from nrr_engine.calibration.survival import km_by_group

HORIZON_DAYS = 90
TEST_FRACTION = 0.3
LEAD_DAYS = 30
AT_RISK_THRESHOLD = 70.0  # "at risk or worse": below the healthy band
CATEGORIES = ("adoption", "engagement", "sentiment", "commercial")

# The playbook's targets (nrr_engine_workflow.md, Key Metrics and Phase 5).
TARGETS = {
    "warned_share": 0.80,  # "80%+ of churn predicted 30+ days out"
}

# The playbook's "Predictive Signal Identification" table, as flags on measured signal values.
SIGNAL_FLAGS = {
    "usage_drop_over_40pct": "usage_trend_value < 0.6",
    "champion_inactive": "champion_activity_value >= 30",
    "champion_left": "stakeholder_changes_value >= 1",
    "negative_ticket_tone": "ticket_tone_value < 0",
    "feature_breadth_contracted": "feature_breadth_value < 0.375",
    "competitor_signals": "competitor_signals_value > 0",
    "payment_trouble": "payment_behaviour_value >= 1",
    "nps_dropped_20_points": "nps_change_value <= -2",
    "renewal_within_60_days_and_health_below_70": (
        "days_to_renewal_value <= 60 and composite_score < 70"
    ),
}


@dataclass(frozen=True)
class CalibrationRun:
    labelled: pd.DataFrame
    split: WalkForwardSplit
    signal_model: FittedChurnModel
    category_model: FittedChurnModel
    signal_cols: list[str]
    test: pd.DataFrame  # known-outcome test rows with prior and calibrated scores


def with_missing_indicators(frame: pd.DataFrame, signal_names: Sequence[str]) -> pd.DataFrame:
    """Add ``<signal>_missing`` (1.0 when the signal's score is null) for every signal.

    Missing is information here (no term contract means a monthly plan; no NPS answer means a
    customer who does not answer surveys), so the model sees it instead of a median guess.
    """
    out = frame.copy()
    for name in signal_names:
        out[f"{name}_missing"] = out[f"{name}_score"].isna().astype("float64")
    return out


def calibrate(history: pd.DataFrame, signal_names: Sequence[str]) -> CalibrationRun:
    """Label, split walk-forward, fit the signal-level and category-level models, score the test.

    The signal-level model reads every signal's score and a missing-indicator per signal; the
    category-level model reads the four category scores.
    """
    history = with_missing_indicators(history, signal_names)
    labelled = label_snapshots(history, horizon_days=HORIZON_DAYS)
    split = walk_forward_split(
        labelled, "snapshot_date", test_fraction=TEST_FRACTION, gap_days=HORIZON_DAYS
    )
    signal_cols = [f"{name}_score" for name in signal_names]
    signal_cols += [f"{name}_missing" for name in signal_names
                    if split.train[f"{name}_missing"].nunique() > 1]  # fmt: skip
    signal_model = fit_calibrated_weights(split.train, signal_cols)
    category_model = fit_calibrated_weights(split.train, [f"{c}_score" for c in CATEGORIES])
    test = split.test[split.test["is_outcome_known"]].copy()
    test["calibrated_score"] = calibrated_health_score(score(signal_model, test)).to_numpy()
    test["calibrated_band"] = health_band(test["calibrated_score"]).to_numpy()
    return CalibrationRun(labelled, split, signal_model, category_model, signal_cols, test)


def calibrated_weights(
    run: CalibrationRun,
    prior_signal_weights: Mapping[str, float],
    signal_categories: Mapping[str, str],
    prior_category_weights: Mapping[str, float],
) -> pd.DataFrame:
    """Learned weights beside the seed's priors, per signal and per category.

    ``calibrated_weight`` is the weight the SQL score would use if a team adopts calibration:
    within each level, the protective part of the coefficient (a higher score going with less
    churn) as a share of the level's total. A signal whose coefficient points the wrong way (a
    higher score going with more churn) gets no weight rather than a negative one.
    """
    parts = []
    category_groups = {c: "composite" for c in CATEGORIES}
    for level, model, priors, group_of in (
        ("signal", run.signal_model, prior_signal_weights, signal_categories),
        ("category", run.category_model, prior_category_weights, category_groups),
    ):
        table = weights_table(model, {f"{k}_score": v for k, v in priors.items()})
        table.insert(0, "level", level)
        is_indicator = table["feature"].str.endswith("_missing")
        names = table["feature"].str.removesuffix("_score").str.removesuffix("_missing")
        table.insert(1, "name", names)
        table.insert(
            2,
            "weight_group",
            np.where(is_indicator, "missing_indicator", names.map(group_of).fillna("unknown")),
        )
        # indicators say how to read an absent signal; they take no share of the score
        protective = np.where(is_indicator, 0.0, np.clip(-table["coefficient"].to_numpy(), 0, None))
        group_totals = (
            pd.Series(protective).groupby(table["weight_group"].to_numpy()).transform("sum")
        )
        totals = group_totals.to_numpy()
        calibrated = np.full(len(table), np.nan)
        np.divide(protective, totals, out=calibrated, where=(totals > 0) & ~is_indicator.to_numpy())
        table["calibrated_weight"] = calibrated
        parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    out["train_snapshots"] = int(run.signal_model.n_train)
    out["train_churned"] = int(run.signal_model.n_churned)
    out["cutoff_date"] = run.split.cutoff_date
    return out


def backtest_summary(run: CalibrationRun) -> pd.DataFrame:
    """ROC AUC, average precision, Brier and early warning of the prior and calibrated scores.

    Early warning flags the prior score "at risk or worse" (below 70). The calibrated score lives
    on a probability scale, so it is flagged at the threshold that flags the same share of
    *training* snapshots: both scores are compared at the same alert volume, and the threshold
    is set before the test period is looked at.
    """
    test_start = run.split.cutoff_date
    train = run.split.train
    prior_flag_share = float((train["composite_score"] < AT_RISK_THRESHOLD).mean())
    train_calibrated = calibrated_health_score(score(run.signal_model, train)).to_numpy()
    thresholds = {
        "prior": AT_RISK_THRESHOLD,
        "calibrated": float(np.quantile(train_calibrated, prior_flag_share)),
    }
    # churns of the test period, warned by snapshots from up to a horizon before it: those
    # fall in the walk-forward gap, so neither score was fitted on them
    labelled = run.labelled
    window = labelled[
        (labelled["snapshot_date"] >= test_start - pd.Timedelta(days=HORIZON_DAYS))
        & (labelled["churn_date"].isna() | (labelled["churn_date"] >= test_start))
    ].copy()
    window["calibrated_score"] = calibrated_health_score(score(run.signal_model, window)).to_numpy()

    rows = []
    for score_name, column in (("prior", "composite_score"), ("calibrated", "calibrated_score")):
        risk = 1 - run.test[column].to_numpy() / 100
        metrics = summary_metrics(run.test["churned_within_horizon"], risk).iloc[0].to_dict()
        warning = early_warning(
            window, column, thresholds[score_name], lead_days=LEAD_DAYS,
            horizon_days=HORIZON_DAYS, max_lead_days=HORIZON_DAYS,
        ).iloc[0].to_dict()  # fmt: skip
        for metric in ("n", "n_churned", "base_rate", "roc_auc", "average_precision", "brier"):
            rows.append((score_name, metric, float(metrics[metric]), None, thresholds[score_name]))
        for metric in ("churn_events", "warned_share", "warned_arr_share", "false_alarm_rate",
                       "median_lead_days"):  # fmt: skip
            rows.append(
                (score_name, metric, float(warning[metric]), TARGETS.get(metric),
                 thresholds[score_name])
            )  # fmt: skip
    out = pd.DataFrame(rows, columns=["score_name", "metric", "value", "target", "threshold"])
    out["meets_target"] = np.where(
        out["target"].isna(), None, out["value"] >= out["target"].fillna(np.inf)
    )
    out["test_period_start"] = test_start
    out["lead_days"] = LEAD_DAYS
    return out


def backtest_deciles(run: CalibrationRun) -> pd.DataFrame:
    parts = []
    for score_name, column in (("prior", "composite_score"), ("calibrated", "calibrated_score")):
        table = calibration_by_decile(
            run.test["churned_within_horizon"], 1 - run.test[column].to_numpy() / 100
        )
        table.insert(0, "score_name", score_name)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def backtest_bands(run: CalibrationRun) -> pd.DataFrame:
    parts = []
    for score_name, band_col in (("prior", "band"), ("calibrated", "calibrated_band")):
        table = lift_by_band(run.test, band_col=band_col)
        table.insert(0, "score_name", score_name)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def backtest(run: CalibrationRun) -> pd.DataFrame:
    """The three backtest tables in one frame, told apart by ``section`` (summary | decile |
    band), so that one Python model fits once and the marts in front of it split the sections."""
    parts = [
        backtest_summary(run).assign(section="summary"),
        backtest_deciles(run).assign(section="decile"),
        backtest_bands(run).assign(section="band"),
    ]
    return pd.concat(parts, ignore_index=True)


def predictive_signals(history: pd.DataFrame) -> pd.DataFrame:
    """The playbook's predictive-signal table, measured on this book's whole labelled history."""
    labelled = label_snapshots(history, horizon_days=HORIZON_DAYS)
    flags = {
        name: labelled.eval(rule).fillna(False).astype(bool) for name, rule in SIGNAL_FLAGS.items()
    }
    table = signal_table(labelled, flags, horizon=HORIZON_DAYS)
    table.insert(1, "rule", table["signal"].map(SIGNAL_FLAGS))
    return table


def survival_curves(first_churns: pd.DataFrame) -> pd.DataFrame:
    """Kaplan-Meier logo survival from first revenue, by signup cohort and by segment.

    ``first_churns``: one row per account with tenure_days (to first churn, or to as_of_date
    when it still pays), churned (bool), signup_cohort and segment.
    """
    parts = []
    for dimension in ("signup_cohort", "segment"):
        curve = km_by_group(first_churns, "tenure_days", "churned", dimension)
        curve = curve.rename(columns={dimension: "dimension_value"})
        curve.insert(0, "dimension_name", dimension)
        parts.append(curve)
    return pd.concat(parts, ignore_index=True)
