"""Calibration by decile of predicted churn risk, prior and calibrated scores, test period."""

from nrr_engine.calibration import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    history = dbt.ref("int_health_snapshots_labelled").df()
    signals = dbt.ref("health_signals").df()
    signal_names = signals["signal_name"].tolist()
    return pipeline.backtest_deciles(pipeline.calibrate(history, signal_names))
