"""The playbook's predictive-signal table, measured: churn with and without each signal, lift
and lead time (thin model: nrr_engine.calibration.pipeline); figures only above the minimums."""

from nrr_engine.calibration import pipeline
from nrr_engine.calibration.model import score_bands
from nrr_engine.calibration.settings import Windows


def model(dbt, session):
    dbt.config(materialized="table")
    # the minimums are dbt vars, rendered into this model's meta (_calibration__models.yml)
    minimums = pipeline.Minimums.from_vars(dbt.config.meta_get("calibration_minimums"))
    history = dbt.ref("int_health_snapshots_labelled").df()
    # the renewal signal's health threshold: the flag band's upper bound in the seed
    bands = score_bands(dbt.ref("health_bands").df())
    flag_band = dbt.config.meta_get("health_flag_band")
    # the flags are the seed churn_signal_flags; the label horizon a var, rendered into the meta
    rules = dbt.ref("churn_signal_flags").df()
    windows = Windows.from_vars(dbt.config.meta_get("calibration_windows"))
    return pipeline.predictive_signals(history, minimums, bands, flag_band, rules, windows)
