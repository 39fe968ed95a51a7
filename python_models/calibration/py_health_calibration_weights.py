"""Learned churn weights per signal and per category beside the seed's priors (thin model:
the work is nrr_engine.calibration.pipeline)."""

from nrr_engine.calibration import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    history = dbt.ref("int_health_snapshots_labelled").df()
    signals = dbt.ref("health_signals").df()
    categories = dbt.ref("health_category_weights").df()
    category_weight = dict(zip(categories["category"], categories["weight"], strict=True))
    # a signal's prior share of the composite: its weight in its category x the category's weight
    prior_signal_weights = {
        row.signal_name: row.weight * category_weight[row.category] for row in signals.itertuples()
    }
    signal_categories = dict(zip(signals["signal_name"], signals["category"], strict=True))
    run = pipeline.calibrate(history, signals["signal_name"].tolist())
    return pipeline.calibrated_weights(
        run, prior_signal_weights, signal_categories, category_weight
    )
