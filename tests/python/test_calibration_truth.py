"""Truth checks on the generated demo book (seed 42), whose churn drivers, customer-success
saves and their effect sizes are known (generator_manifest.json, ground_truth): the calibration
models, and the intervention uplift against the planted save effect."""

from __future__ import annotations

import csv
import hashlib
import json

import pyarrow.parquet as pq

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
        r[0]
        for r in build.query(
            "select distinct account_id from intermediate.int_account_health_scored"
        )
    ]
    assert len(health_accounts) > cap
    expected = sorted(health_accounts, key=lambda a: (hashlib.md5(a.encode()).hexdigest(), a))
    sampled = build.query(
        "select account_id, count(*) from intermediate.int_health_snapshots_labelled group by 1"
    )
    assert sorted(a for a, _ in sampled) == sorted(expected[:cap])
    snapshots = dict(
        build.query(
            "select account_id, count(*) from intermediate.int_account_health_scored"
            " group by 1 order by 1"
        )
    )
    assert all(snapshots[a] == n for a, n in sampled)


def test_measured_uplift_covers_the_effect_planted_in_the_episodes(demo_build):
    """The generator saves some worked accounts that would have churned (manifest
    `cs_activity.save_probability` by level; ground truth `cs_averted_churn_date`). In the
    marts' terms the true effect is the share of treated settled episodes whose account had a
    churn averted inside the episode's outcome window and ended saved: without the playbook
    that episode would have churned. The holdout estimate of the same effect (treated minus
    holdout save rate) must hold it inside its bootstrap interval."""
    manifest = json.loads((demo_build.raw_path / "generator_manifest.json").read_text())
    planted = manifest["cs_activity"]["save_probability"]
    truth = pq.read_table(demo_build.raw_path / "ground_truth.parquet").to_pylist()
    averted = {
        row["account_id"]: row["cs_averted_churn_date"]
        for row in truth
        if row["cs_averted_churn_date"] is not None
    }
    episodes = demo_build.dicts(
        "select account_id, arm, opening_level, opened_at, outcome_window_ends_on, outcome"
        " from interventions.fct_intervention_episodes where is_settled"
    )
    treated = [e for e in episodes if e["arm"] == "treated"]
    assert not any(e["account_id"] in averted for e in episodes if e["arm"] == "holdout")

    def saved_by_the_playbook(episode: dict) -> bool:
        day = averted.get(episode["account_id"])
        return (
            day is not None
            and episode["opened_at"] < day <= episode["outcome_window_ends_on"]
            and episode["outcome"] == "saved"
        )

    true_effect = sum(saved_by_the_playbook(e) for e in treated) / len(treated)
    overall = demo_build.dicts(
        "select * from interventions.fct_intervention_outcomes where risk_level = 'overall'"
    )[0]
    print(
        f"\nplanted save probability {planted}; true effect in the settled treated episodes"
        f" {true_effect:.3f}; measured uplift {overall['uplift']:.3f}"
        f" [{overall['uplift_ci_low']:.3f}, {overall['uplift_ci_high']:.3f}]"
        f" ({overall['treated_episodes']} treated, {overall['holdout_episodes']} holdout episodes)"
    )
    assert overall["status"] == "ok"
    assert true_effect > 0
    assert overall["uplift_ci_low"] <= true_effect <= overall["uplift_ci_high"]
