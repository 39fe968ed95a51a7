"""fct_key_metrics_scorecard and fct_key_metrics_quarterly checked against the raw files.

Definitions: docs/definitions.md#key-metrics-scorecard.

On a generated book (seed 7, 1,000 accounts, 36 months): NRR, GRR, logo churn (monthly and
annual) and their values four quarters earlier are recomputed from the raw parquet files through
the plain-Python ARR reference; every metric of the seed is on the scorecard with the seed's
target; is_met and the trend follow from the values; the win-back conversion, the intervention
success rate and the health score accuracy are the headline figures of their marts.
"""

from __future__ import annotations

import datetime as dt

import pytest
from diagnosis_book import (  # noqa: F401
    Arr,
    diagnosis_build,
    latest_complete_month,
    nrr_grr,
    seed_rows,
)

from reference import arr_reference as ref

TOLERANCE = 1e-6  # the retention mart's ratios have six decimals


@pytest.fixture(scope="module")
def scorecard(diagnosis_build):  # noqa: F811
    rows = diagnosis_build.dicts("select * from diagnosis.fct_key_metrics_scorecard")
    return {r["metric_key"]: r for r in rows}


@pytest.fixture(scope="module")
def arr(diagnosis_build):  # noqa: F811
    return Arr(diagnosis_build.raw_path)


def quarter_start(month: dt.date) -> dt.date:
    return dt.date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)


def monthly_logo_churn(arr: Arr, first: dt.date, last: dt.date) -> float:
    churned = starting = 0
    month = first
    while month <= last:
        previous = ref.add_months(month, -1)
        for account in arr.accounts:
            if arr.get(account, previous) > 0:
                starting += 1
                churned += arr.get(account, month) == 0
        month = ref.add_months(month, 1)
    return churned / starting


def test_every_seed_metric_is_on_the_scorecard_with_its_target(scorecard):
    targets = seed_rows("key_metric_targets")
    assert set(scorecard) == set(targets)
    for key, row in scorecard.items():
        assert row["target_value"] == pytest.approx(float(targets[key]["target_value"]))
        assert row["target_rule"] == targets[key]["target_rule"]
        assert row["unit"] == targets[key]["unit"]
        assert row["value_note"]


def test_retention_and_logo_churn_recomputed(arr, scorecard):
    month = latest_complete_month(arr.as_of)
    a_year_ago = ref.add_months(quarter_start(month), -12 + 2)  # that quarter's last month
    nrr, grr, logo = nrr_grr(arr.cohort(month))
    nrr_ago, grr_ago, logo_ago = nrr_grr(arr.cohort(a_year_ago))
    expected = {
        "nrr": (nrr, nrr_ago),
        "grr": (grr, grr_ago),
        "logo_churn_annual": (1 - logo, 1 - logo_ago),
        "logo_churn_monthly": (
            monthly_logo_churn(arr, quarter_start(month), month),
            monthly_logo_churn(arr, quarter_start(a_year_ago), a_year_ago),
        ),
    }
    for key, (value, ago) in expected.items():
        row = scorecard[key]
        assert row["as_of_month"] == month
        assert row["value"] == pytest.approx(value, abs=TOLERANCE), key
        assert row["value_four_quarters_ago"] == pytest.approx(ago, abs=TOLERANCE), key
        print(f"\n{key}: {value:.4f} (a year earlier {ago:.4f})", end="")


def test_is_met_and_trend_follow_from_the_values(scorecard):
    targets = seed_rows("key_metric_targets")
    for key, row in scorecard.items():
        value, ago, target = row["value"], row["value_four_quarters_ago"], row["target_value"]
        if value is None:
            assert row["is_met"] is None and row["trend_direction"] == "insufficient_data"
            continue
        met = value >= target if row["target_rule"] == "at_least" else value <= target
        assert row["is_met"] == met, key
        if ago is None:
            assert row["trend_direction"] == "insufficient_data"
        elif abs(value - ago) <= float(targets[key]["flat_tolerance"]):
            assert row["trend_direction"] == "flat"
        else:
            better = value > ago if row["target_rule"] == "at_least" else value < ago
            assert row["trend_direction"] == ("improving" if better else "worsening"), key


def test_headline_metrics_are_read_from_their_marts(diagnosis_build, scorecard):  # noqa: F811
    """Wiring: these three have no quarterly series; each is its mart's headline figure, which
    that domain's own tests recompute (test_winback, test_interventions, calibration)."""
    (conversion, addressable, converted), = diagnosis_build.query(
        "select conversion_rate, addressable_windows_opened, addressable_converted"
        " from winback.fct_winback_performance where churn_reason = 'all'"
    )  # fmt: skip
    assert addressable > 0
    assert scorecard["winback_conversion_rate"]["value"] == pytest.approx(converted / addressable)
    assert scorecard["winback_conversion_rate"]["value"] == pytest.approx(float(conversion))
    (save_rate,), = diagnosis_build.query(
        "select treated_save_rate from interventions.fct_intervention_outcomes"
        " where risk_level = 'overall'"
    )  # fmt: skip
    assert scorecard["intervention_success_rate"]["value"] == pytest.approx(float(save_rate))
    for key in ("winback_conversion_rate", "intervention_success_rate", "health_score_accuracy"):
        assert scorecard[key]["trend_direction"] == "insufficient_data"


def test_quarterly_series_ends_at_the_scorecard(diagnosis_build, scorecard):  # noqa: F811
    rows = diagnosis_build.dicts("select * from diagnosis.fct_key_metrics_quarterly")
    latest = max(r["quarter_start"] for r in rows)
    for row in rows:
        if row["quarter_start"] == latest:
            assert row["value"] == pytest.approx(scorecard[row["metric_key"]]["value"])
