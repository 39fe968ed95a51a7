"""Prior vs calibrated health score on the walk-forward test period: the summary metrics (AUC,
average precision, Brier, early warning, false alarms), calibration by decile and lift by band,
in one frame with a `section` column (thin model: nrr_engine.calibration.pipeline). Below the
minimums a score's figures are null and `status_reason` says why."""

from nrr_engine.calibration import pipeline
from nrr_engine.calibration.model import score_bands
from nrr_engine.calibration.settings import Windows


def model(dbt, session):
    dbt.config(materialized="table")
    # the minimums are dbt vars, rendered into this model's meta (_calibration__models.yml)
    minimums = pipeline.Minimums.from_vars(dbt.config.meta_get("calibration_minimums"))
    history = dbt.ref("int_health_snapshots_labelled").df()
    signals = dbt.ref("health_signals").df()
    signal_names = signals["signal_name"].tolist()
    # the bands and the flag band come from the seed and the var, as in the SQL
    bands = score_bands(dbt.ref("health_bands").df())
    flag_band = dbt.config.meta_get("health_flag_band")
    # the label horizon and the early warning's lead window: vars, rendered into the meta
    windows = Windows.from_vars(dbt.config.meta_get("calibration_windows"))
    run = pipeline.calibrate(history, signal_names, minimums, bands, flag_band, windows)
    return pipeline.backtest(run)
