"""Churn-signal calibration: does the health score predict churn, and what should it weigh?

Pure functions on pandas DataFrames (polars/pyarrow frames and DuckDB relations are converted),
meant to be called from thin dbt Python models. Nothing here reads the warehouse or a clock;
everything is deterministic.

The usual flow::

    labelled = label_snapshots(history, horizon_days=90)          # labels.py
    split = walk_forward_split(labelled, "snapshot_date",           # split.py
                               test_fraction=0.25, gap_days=90)
    fitted = fit_calibrated_weights(split.train, feature_cols)       # model.py
    weights = weights_table(fitted, {"adoption_score": 35, ...})
    test = split.test[split.test["is_outcome_known"]]
    summary_metrics(test["churned_within_horizon"], score(fitted, test))   # metrics.py
    early_warning(history, "composite_score", threshold=50, lead_days=30)
    signal_table(labelled, {"champion_left": "flag_champion_left"})  # signals.py
    km_by_group(accounts, "tenure_days", "churned", "segment")       # survival.py

Conventions shared by every module:

* a *health* score is higher = healthier (0-100); a *risk* score or churn probability is higher =
  riskier; metric functions take risk scores;
* ``churned_within_horizon`` / ``is_outcome_known`` are the label columns of ``label_snapshots``;
  functions that read a label drop rows whose ``is_outcome_known`` is False when that column is
  present (``known_col=None`` turns this off);
* a *churn event* is a distinct (account_id, churn_date) pair;
* dates come back as ``datetime64[us]``, text as ``str``, counts as ``int64``, the rest
  ``float64``; shares whose denominator is 0 are NaN.
"""

from nrr_engine.calibration.labels import label_snapshots, widen_signals
from nrr_engine.calibration.metrics import (
    average_precision,
    brier,
    calibration_by_decile,
    early_warning,
    early_warning_events,
    lift_by_band,
    roc_auc,
    summary_metrics,
)
from nrr_engine.calibration.model import (
    FittedChurnModel,
    calibrated_health_score,
    fit_calibrated_weights,
    health_band,
    score,
    score_frame,
    weights_table,
)
from nrr_engine.calibration.signals import signal_table
from nrr_engine.calibration.split import WalkForwardSplit, walk_forward_split
from nrr_engine.calibration.survival import (
    churn_timing_buckets,
    churn_timing_share,
    kaplan_meier,
    km_by_group,
)
from nrr_engine.calibration.telco import load_telco, telco_holdout_auc

__all__ = [
    "FittedChurnModel",
    "WalkForwardSplit",
    "average_precision",
    "brier",
    "calibrated_health_score",
    "calibration_by_decile",
    "churn_timing_buckets",
    "churn_timing_share",
    "early_warning",
    "early_warning_events",
    "fit_calibrated_weights",
    "health_band",
    "kaplan_meier",
    "km_by_group",
    "label_snapshots",
    "lift_by_band",
    "load_telco",
    "roc_auc",
    "score",
    "score_frame",
    "signal_table",
    "summary_metrics",
    "telco_holdout_auc",
    "walk_forward_split",
    "weights_table",
    "widen_signals",
]
