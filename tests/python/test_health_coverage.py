"""Health says when there is too little data (docs/definitions.md#health-coverage).

A book whose behavioural tables are header-only (billing only) must score no snapshot: every one
is `insufficient_data`, with no composite, and nothing downstream (alerts, renewal flags,
expansion triggers) reads it as a low score. On the same book with every table, the scores are
the usual ones and the coverage is computed from the seeds, here read with csv.
"""

from __future__ import annotations

import csv
import shutil

import pyarrow.parquet as pq
import pytest

from conftest import REPO, Build, build_ok, generate_book

BEHAVIOURAL_TABLES = [
    "users", "usage_events", "integrations", "support_tickets", "nps_responses",
    "feedback_items", "crm_events", "community_activity", "churn_surveys",
]  # fmt: skip
SCORED_BANDS = {"thriving", "healthy", "at_risk", "critical", "churning"}
INPUT_FLAGS = [
    "has_usage_data", "has_user_data", "has_integration_data", "has_support_data",
    "has_nps_data", "has_feedback_data", "has_community_data", "has_crm_data",
]  # fmt: skip


def prior_weights() -> dict[str, float]:
    """Each signal's share of the prior weight: signal weight x its category's weight."""
    with open(REPO / "seeds" / "health_category_weights.csv", newline="") as f:
        categories = {row["category"]: float(row["weight"]) for row in csv.DictReader(f)}
    with open(REPO / "seeds" / "health_signals.csv", newline="") as f:
        return {
            row["signal_name"]: float(row["weight"]) * categories[row["category"]]
            for row in csv.DictReader(f)
        }


@pytest.fixture(scope="module")
def full_book(tmp_path_factory):
    return generate_book(tmp_path_factory.mktemp("coverage_book") / "raw", 200, 24, seed=11)


# The full book's health mart and its inputs, with the data tests whose every parent is built
# (cautious). The whole project on a generated book, with every data test, is the session's
# generated build (conftest.py); the billing-only book below is built whole.
FULL_BOOK_SELECT = [
    "--select", "+fct_account_health", "+int_health_inputs_dated",
    "--indirect-selection", "cautious",
]  # fmt: skip


@pytest.fixture(scope="module")
def full_build(tmp_path_factory, full_book) -> Build:
    return build_ok(
        tmp_path_factory.mktemp("coverage_full"), full_book, extra_args=FULL_BOOK_SELECT
    )


@pytest.fixture(scope="module")
def billing_only_build(tmp_path_factory, full_book) -> Build:
    """The same book with every behavioural table header-only (same columns, no rows)."""
    raw = tmp_path_factory.mktemp("billing_only") / "raw"
    shutil.copytree(full_book, raw)
    for table in BEHAVIOURAL_TABLES:
        path = raw / f"{table}.parquet"
        pq.write_table(pq.read_table(path).slice(0, 0), path)
    return build_ok(tmp_path_factory.mktemp("billing_only_build"), raw)


def test_billing_only_book_is_insufficient_data_everywhere(billing_only_build):
    weights = prior_weights()
    rows = billing_only_build.dicts(
        f"select band, composite_score, signal_coverage, {', '.join(INPUT_FLAGS)}, "
        "days_to_renewal_value, payment_behaviour_value, has_invoice_data "
        "from health.fct_account_health"
    )
    assert len(rows) > 1000
    assert {r["band"] for r in rows} == {"insufficient_data"}
    assert all(r["composite_score"] is None for r in rows)
    assert not any(r[flag] for r in rows for flag in INPUT_FLAGS)
    # only the two billing signals can have data: their prior weight, where they have a value
    for r in rows:
        expected = 0.0
        if r["days_to_renewal_value"] is not None:
            expected += weights["days_to_renewal"]
        if r["payment_behaviour_value"] is not None and r["has_invoice_data"]:
            expected += weights["payment_behaviour"]
        assert r["signal_coverage"] == pytest.approx(expected, abs=5e-5)
    assert max(r["signal_coverage"] for r in rows) <= (
        weights["days_to_renewal"] + weights["payment_behaviour"] + 5e-5
    )


def test_billing_only_book_raises_nothing_from_missing_health(billing_only_build):
    (alerts,) = billing_only_build.query("select count(*) from health.fct_health_alerts")[0]
    assert alerts == 0
    (low_health_flags, red, renewals, with_health) = billing_only_build.query(
        """
        select
            count(case when has_low_usage or has_no_active_champion then 1 end),
            count(case when risk_rating = 'red' then 1 end),
            count(*),
            count(health_snapshot_date)
        from health.fct_renewal_risk
        """
    )[0]
    assert renewals > 0
    assert low_health_flags == 0
    assert red == 0
    (triggers,) = billing_only_build.query("select count(*) from health.fct_expansion_triggers")[0]
    assert triggers == 0
    (on_insufficient, total) = billing_only_build.query(
        "select sum(renewals_on_insufficient_data), sum(renewals) "
        "from health.fct_renewal_forecast_accuracy"
    )[0]
    # every rating read from a health snapshot read it from insufficient_data (a checkpoint
    # before the account's first snapshot has none)
    assert total == renewals
    assert on_insufficient == with_health > 0


def test_full_book_scores_with_the_usual_bands(full_build):
    weights = prior_weights()
    inputs = full_build.dicts("select * from intermediate.int_health_inputs_dated")[0]
    usage_starts = inputs["first_usage_day"]
    rows = full_build.dicts(
        "select snapshot_date, band, composite_score, signal_coverage "
        "from health.fct_account_health"
    )
    scored = [r for r in rows if r["snapshot_date"] > usage_starts]
    assert len(scored) > 1000
    assert {r["band"] for r in scored} <= SCORED_BANDS
    assert len({r["band"] for r in scored}) >= 4
    assert all(r["composite_score"] is not None for r in scored)
    # usage (and the rest of the generated feeds) alone carry more than the 0.2 minimum
    usage_weight = sum(
        weights[s]
        for s in ("feature_breadth", "feature_depth", "workflows_created", "usage_trend",
                  "new_features_discovered")
    )  # fmt: skip
    assert min(r["signal_coverage"] for r in scored) > usage_weight
    # before the usage, support, survey, community and CRM feeds start, the generated billing
    # history has only users, integrations and invoices: at most integrations_connected,
    # days_to_renewal and payment_behaviour, under the 0.2 minimum, so it is not scored
    feeds_start = min(
        inputs[f"first_{name}_day"]
        for name in ("usage", "support", "nps", "feedback", "community", "crm")
    )
    early = [r for r in rows if r["snapshot_date"] <= feeds_start]
    assert early, "the generated book's billing history starts before its usage"
    assert {r["band"] for r in early} == {"insufficient_data"}
    assert max(r["signal_coverage"] for r in early) <= (
        weights["integrations_connected"] + weights["days_to_renewal"]
        + weights["payment_behaviour"] + 5e-5
    )  # fmt: skip


def test_full_book_coverage_matches_the_seed_weights(full_build):
    """At the as_of_date every feed is connected, so each signal has data exactly when it has a
    value: the coverage is the prior weight of the non-null values."""
    weights = prior_weights()
    names = list(weights)
    rows = full_build.dicts(
        f"select signal_coverage, {', '.join(f'{n}_value' for n in names)} "
        "from health.fct_account_health where is_as_of_date"
    )
    assert len(rows) > 100
    for r in rows:
        expected = sum(weights[n] for n in names if r[f"{n}_value"] is not None)
        assert r["signal_coverage"] == pytest.approx(expected, abs=5e-5)
