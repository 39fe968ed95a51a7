"""Truth checks of the calibration models on the generated demo book (seed 42), whose churn
drivers and their effect sizes are known (generator_manifest.json, ground_truth)."""

from __future__ import annotations

import csv
import hashlib

from conftest import MODELS_ONLY, Build, build_ok
from nrr_engine.calibration.export import export
from planted_drivers import assert_planted_drivers_rank_on_top


def backtest(build: Build) -> dict[tuple[str, str], float]:
    return {
        (score, metric): value
        for score, metric, value in build.query(
            "select score_name, metric, value from calibration.fct_health_backtest"
        )
    }


def test_the_calibrated_score_beats_the_prior_on_the_test_period(demo_build):
    figures = backtest(demo_build)
    assert figures[("calibrated", "roc_auc")] > figures[("prior", "roc_auc")]
    assert figures[("prior", "roc_auc")] > 0.7  # the prior score is informative too
    assert figures[("calibrated", "n_churned")] > 200  # enough churn to tell them apart


def test_the_demo_book_is_above_every_minimum_that_its_figures_need(demo_build):
    """At demo scale (1,000 accounts, 36 months) the backtest and the weights report figures;
    the signal lift reports for most rules; survival and churn timing report overall and for
    the three segments (their counts checked here against the paid periods, in plain Python)."""
    for mart in ("fct_health_backtest", "fct_health_backtest_deciles",
                 "fct_health_backtest_bands", "calibrated_health_weights"):  # fmt: skip
        statuses = demo_build.query(f"select distinct status from calibration.{mart}")  # noqa: S608
        assert statuses == [("reported",)], mart
    (test_events,) = demo_build.query(
        "select value from calibration.fct_health_backtest "
        "where score_name = 'prior' and metric = 'churn_events'"
    )[0]
    assert test_events >= 30
    lift = dict(demo_build.query("select signal, status from calibration.fct_churn_signal_lift"))
    assert sum(status == "reported" for status in lift.values()) >= 5, lift
    survival = dict(
        demo_build.query(
            "select dimension_value, min(status) from calibration.fct_logo_survival "
            "where dimension_name = 'segment' group by 1"
        )
    )
    assert survival == {"enterprise": "reported", "mid_market": "reported", "smb": "reported"}
    periods = demo_build.query(
        "select count(*) from intermediate.int_account_paid_periods_islanded "
        "where period_end is not null"
    )[0][0]
    timing = demo_build.query(
        "select timing_grain, sum(churn_events), min(status) from calibration.fct_churn_timing "
        "where dimension_name = 'all' group by 1 order by 1"
    )
    assert timing == [
        ("playbook_bucket", periods, "reported"),
        ("tenure_month", periods, "reported"),
    ]


def test_planted_drivers_rank_at_the_top_of_the_calibrated_weights(demo_build):
    assert_planted_drivers_rank_on_top(demo_build)


def test_churn_timing_shows_the_renewal_cliff_at_month_twelve(demo_build):
    by_month = dict(
        demo_build.query(
            "select cast(timing_value as integer), churn_events from calibration.fct_churn_timing "
            "where timing_grain = 'tenure_month'"
        )
    )
    neighbours = [by_month.get(m, 0) for m in (*range(6, 12), *range(13, 19))]
    assert by_month[12] > 3 * sum(neighbours) / len(neighbours), by_month


def test_logo_survival_drops_at_the_first_renewal(demo_build):
    curve = demo_build.query(
        "select days_since_first_revenue, survival from calibration.fct_logo_survival "
        "where dimension_name = 'segment' and dimension_value = 'mid_market' order by 1"
    )

    def survival_at(day):
        return min((s for d, s in curve if d <= day), default=1.0)

    drop_at_renewal = survival_at(380) - survival_at(350)
    drop_before = survival_at(330) - survival_at(300)
    assert drop_at_renewal < 2 * drop_before - 0.01, (drop_at_renewal, drop_before)


def test_exported_weights_are_a_usable_seed(tmp_path, demo_build):
    out = tmp_path / "health_weights_calibrated.csv"
    count = export(demo_build.warehouse, out)
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == count == 21 + 4
    totals: dict[str, float] = {}
    categories = {r["name"] for r in rows if r["level"] == "category"}
    assert categories == {"adoption", "engagement", "sentiment", "commercial"}
    signal_category = dict(
        demo_build.query("select signal_name, category from config.health_signals")
    )
    for row in rows:
        group = "composite" if row["level"] == "category" else signal_category[row["name"]]
        totals[group] = totals.get(group, 0.0) + float(row["weight"])
    assert all(abs(total - 1) < 1e-5 for total in totals.values()), totals


def test_calibration_sample_is_the_same_capped_set_of_accounts(tmp_path, generated_book):
    """With calibration_max_accounts below the book's size, the labelled history holds exactly
    that many accounts: the ones with the smallest md5 of account_id (computed here with
    hashlib), with every snapshot of each."""
    cap = 40
    build = build_ok(
        tmp_path,
        generated_book,
        dbt_vars={"calibration_max_accounts": cap},
        extra_args=[*MODELS_ONLY, "--select", "+int_health_snapshots_labelled"],
    )
    health_accounts = [
        r[0] for r in build.query("select distinct account_id from health.fct_account_health")
    ]
    assert len(health_accounts) > cap
    expected = sorted(health_accounts, key=lambda a: (hashlib.md5(a.encode()).hexdigest(), a))
    sampled = build.query(
        "select account_id, count(*) from intermediate.int_health_snapshots_labelled group by 1"
    )
    assert sorted(a for a, _ in sampled) == sorted(expected[:cap])
    snapshots = dict(
        build.query(
            "select account_id, count(*) from health.fct_account_health group by 1 order by 1"
        )
    )
    assert all(snapshots[a] == n for a, n in sampled)
