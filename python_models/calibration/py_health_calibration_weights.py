"""Learned churn weights per signal and per category beside the seed's priors (thin model:
the work is nrr_engine.calibration.pipeline). Below the minimums nothing is fitted and every row
keeps its prior, with the reason (docs/definitions.md#minimums)."""

from nrr_engine.calibration import pipeline
from nrr_engine.calibration.model import score_bands
from nrr_engine.calibration.settings import Windows


def model(dbt, session):
    dbt.config(materialized="table")
    # the minimums are dbt vars, rendered into this model's meta (_calibration__models.yml)
    minimums = pipeline.Minimums.from_vars(dbt.config.meta_get("calibration_minimums"))
    history = dbt.ref("int_health_snapshots_labelled").df()
    signals = dbt.ref("health_signals").df()
    categories = dbt.ref("health_category_weights").df()
    category_weight = dict(zip(categories["category"], categories["weight"], strict=True))
    # a signal's prior share of the composite: its weight in its category x the category's weight
    prior_signal_weights = {
        row.signal_name: row.weight * category_weight[row.category] for row in signals.itertuples()
    }
    signal_categories = dict(zip(signals["signal_name"], signals["category"], strict=True))
    bands = score_bands(dbt.ref("health_bands").df())
    flag_band = dbt.config.meta_get("health_flag_band")
    windows = Windows.from_vars(dbt.config.meta_get("calibration_windows"))
    signal_names = signals["signal_name"].tolist()
    run = pipeline.calibrate(history, signal_names, minimums, bands, flag_band, windows)
    return pipeline.calibrated_weights(
        run, prior_signal_weights, signal_categories, category_weight
    )
