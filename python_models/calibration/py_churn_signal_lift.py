"""The playbook's predictive-signal table, measured: churn with and without each signal, lift
and lead time (thin model: nrr_engine.calibration.pipeline)."""

from nrr_engine.calibration import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    history = dbt.ref("int_health_snapshots_labelled").df()
    return pipeline.predictive_signals(history)
