"""Kaplan-Meier logo survival from first revenue, by signup cohort and by segment."""

from nrr_engine.calibration import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    return pipeline.survival_curves(dbt.ref("int_account_tenures_measured").df())
