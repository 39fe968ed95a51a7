"""Churn rate and lift by health band, prior and calibrated scores, test period."""

from nrr_engine.calibration import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    history = dbt.ref("int_health_snapshots_labelled").df()
    signals = dbt.ref("health_signals").df()
    signal_names = signals["signal_name"].tolist()
    return pipeline.backtest_bands(pipeline.calibrate(history, signal_names))
