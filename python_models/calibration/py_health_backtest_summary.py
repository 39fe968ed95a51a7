"""Prior vs calibrated health score on the walk-forward test period: AUC, average precision,
Brier, early warning and false alarms (thin model: nrr_engine.calibration.pipeline)."""

from nrr_engine.calibration import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    history = dbt.ref("int_health_snapshots_labelled").df()
    signals = dbt.ref("health_signals").df()
    signal_names = signals["signal_name"].tolist()
    return pipeline.backtest_summary(pipeline.calibrate(history, signal_names))
