"""Prior vs calibrated health score on the walk-forward test period: the summary metrics (AUC,
average precision, Brier, early warning, false alarms), calibration by decile and lift by band,
in one frame with a `section` column (thin model: nrr_engine.calibration.pipeline)."""

from nrr_engine.calibration import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    history = dbt.ref("int_health_snapshots_labelled").df()
    signals = dbt.ref("health_signals").df()
    signal_names = signals["signal_name"].tolist()
    return pipeline.backtest(pipeline.calibrate(history, signal_names))
