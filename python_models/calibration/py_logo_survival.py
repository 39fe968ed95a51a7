"""Kaplan-Meier logo survival from first revenue, by signup cohort and by segment; a group below
the minimums gets one row with its counts and the reason instead of a curve."""

from nrr_engine.calibration import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    # the minimums are dbt vars, rendered into this model's meta (_calibration__models.yml)
    minimums = pipeline.Minimums.from_vars(dbt.config.meta_get("calibration_minimums"))
    return pipeline.survival_curves(dbt.ref("int_account_tenures_measured").df(), minimums)
