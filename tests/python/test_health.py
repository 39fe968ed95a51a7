"""The health model: point-in-time correctness, behaviour over volume, an independent check of
signal values, and a sanity check of what the score says about churn (the honest measurement of
how predictive it is belongs to the calibration backtest)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from conftest import MODELS_ONLY, REPO, Build, build_ok
from nrr_engine.generate import FEATURE_CATALOGUE

SIGNALS = [
    "feature_breadth", "feature_depth", "integrations_connected", "seat_penetration",
    "workflows_created", "usage_trend", "session_depth_trend", "new_features_discovered",
    "champion_activity", "executive_sponsor_activity", "ticket_tone", "ticket_frequency_trend",
    "nps_latest", "nps_change", "community_participation", "review_tone", "days_to_renewal",
    "payment_behaviour", "expansion_conversations", "stakeholder_changes", "competitor_signals",
]  # fmt: skip
SCORE_COLUMNS = [
    "composite_score", "band", "adoption_score", "engagement_score", "sentiment_score",
    "commercial_score", *[f"{s}_score" for s in SIGNALS], *[f"{s}_value" for s in SIGNALS],
]  # fmt: skip


def health_rows(build: Build, where: str) -> dict[tuple[str, dt.date], dict]:
    rows = build.dicts(
        f"select account_id, snapshot_date, {', '.join(SCORE_COLUMNS)} "
        f"from health.fct_account_health where {where}"
    )
    return {(r["account_id"], r["snapshot_date"]): r for r in rows}


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-9
    return a == b


@pytest.fixture(scope="module")
def past_snapshot(generated_build) -> dt.date:
    """A Monday about five months before the generated book's as_of_date."""
    (as_of,) = generated_build.query("select as_of_date from intermediate.int_as_of_date_resolved")[
        0
    ]
    day = as_of - dt.timedelta(days=150)
    return day - dt.timedelta(days=day.weekday())


def test_a_past_as_of_date_reproduces_the_history_row(tmp_path, generated_build, past_snapshot):
    past = build_ok(
        tmp_path,
        generated_build.raw_path,
        dbt_vars={"as_of_date": past_snapshot.isoformat()},
        extra_args=[*MODELS_ONLY, "--select", "+fct_account_health"],
    )
    then = health_rows(past, "is_as_of_date")
    history = health_rows(generated_build, f"snapshot_date = date '{past_snapshot}'")
    assert len(then) > 100
    assert then.keys() == history.keys()
    differences = [
        (key, column, then[key][column], history[key][column])
        for key in then
        for column in SCORE_COLUMNS
        if not same(then[key][column], history[key][column])
    ]
    assert not differences, differences[:5]


def test_inflating_raw_event_counts_does_not_move_the_score(tmp_path, generated_build):
    """Three copies of every event (new ids, same user, session, feature and time) change
    volume only: breadth, depth and trajectory stay, and so must every score."""
    raw = tmp_path / "raw"
    shutil.copytree(generated_build.raw_path, raw)
    events = pq.read_table(raw / "usage_events.parquet")
    copies = [
        events.set_column(
            0, "event_id", pc.binary_join_element_wise(events["event_id"], f"x{i}", "")
        )
        for i in range(2)
    ]
    pq.write_table(pa.concat_tables([events, *copies]), raw / "usage_events.parquet")
    inflated = build_ok(
        tmp_path / "build",
        raw,
        extra_args=[
            *MODELS_ONLY, "--select",
            "+fct_account_health", "+int_usage_account_feature_days_aggregated",
        ],
    )  # fmt: skip
    assert inflated.query(
        "select sum(events) from intermediate.int_usage_account_feature_days_aggregated"
    ) == [(3 * events.num_rows,)]
    before = health_rows(generated_build, "true")
    after = health_rows(inflated, "true")
    assert before.keys() == after.keys()
    moved = [
        (key, column)
        for key in before
        for column in SCORE_COLUMNS
        if not same(before[key][column], after[key][column])
    ]
    assert not moved, moved[:5]


def test_accounts_that_stay_score_higher_than_accounts_about_to_churn(generated_build):
    (stay, churn) = generated_build.query(
        """
        with health as (select * from health.fct_account_health),
        churns as (
            select account_id, month from revenue.fct_account_arr_monthly
            where movement_type = 'churn'
        ),
        labelled as (
            select
                health.composite_score,
                exists (
                    select 1 from churns
                    where churns.account_id = health.account_id
                        and churns.month > health.snapshot_date
                        and churns.month <= health.snapshot_date + interval 90 day
                ) as churns_within_90_days
            from health
        )
        select
            avg(case when not churns_within_90_days then composite_score end),
            avg(case when churns_within_90_days then composite_score end)
        from labelled
        """
    )[0]
    assert stay > churn + 5, (stay, churn)


def churn_auc(values: list[tuple[float, bool]]) -> float:
    """Mann-Whitney probability that a snapshot of an account about to churn has a lower value
    than one of an account that stays (ties count one half)."""
    churning = [v for v, churns in values if churns]
    staying = [v for v, churns in values if not churns]
    wins = sum((c < s) + 0.5 * (c == s) for c in churning for s in staying)
    return wins / (len(churning) * len(staying))


def test_the_classifier_ticket_tone_separates_accounts_about_to_churn(generated_build):
    """The generator plants frustrated tickets before churn (TICKET_FRUSTRATION_*); ticket tone,
    now the feedback classifier's tone score of each ticket (docs/definitions.md#health-text-tone),
    must still find them: snapshots of accounts that churn within 90 days read lower."""
    rows = generated_build.query(
        """
        with churns as (
            select account_id, month from revenue.fct_account_arr_monthly
            where movement_type = 'churn'
        )
        select
            health.ticket_tone_value,
            exists (
                select 1 from churns
                where churns.account_id = health.account_id
                    and churns.month > health.snapshot_date
                    and churns.month <= health.snapshot_date + interval 90 day
            )
        from health.fct_account_health as health
        where health.ticket_tone_value is not null
        """
    )
    churning = [v for v, churns in rows if churns]
    staying = [v for v, churns in rows if not churns]
    assert len(churning) >= 30 and len(staying) >= 300, (len(churning), len(staying))
    mean_churning, mean_staying = sum(churning) / len(churning), sum(staying) / len(staying)
    auc = churn_auc(rows)
    print(f"ticket tone: churning {mean_churning:.3f}, staying {mean_staying:.3f}, AUC {auc:.3f}")
    assert mean_churning < mean_staying - 0.1, (mean_churning, mean_staying)
    assert auc >= 0.6, auc


def test_the_feature_catalogue_seed_matches_the_generator():
    with (REPO / "seeds" / "feature_catalogue.csv").open() as handle:
        seeded = [tuple(line.strip().split(",")) for line in handle.readlines()[1:]]
    assert seeded == list(FEATURE_CATALOGUE)


# An independent computation of four signals from the raw files, in plain Python.


def _day(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@pytest.fixture(scope="module")
def raw_tables(generated_build):
    def read(table):
        return pq.read_table(generated_build.raw_path / f"{table}.parquet").to_pylist()

    return {
        t: read(t) for t in ["usage_events", "users", "nps_responses", "subscription_line_items"]
    }


def test_signal_values_match_an_independent_computation(generated_build, raw_tables):
    rows = generated_build.dicts(
        "select account_id, snapshot_date, feature_breadth_value, seat_penetration_value, "
        "nps_latest_value, days_to_renewal_value from health.fct_account_health "
        "where hash(account_id || cast(snapshot_date as varchar)) % 97 = 0"
    )
    assert len(rows) > 40
    core = {feature for feature, tier in FEATURE_CATALOGUE if tier == "core"}
    events_by_account = defaultdict(list)
    for event in raw_tables["usage_events"]:
        events_by_account[event["account_id"]].append(event)
    for row in rows:
        account, day = row["account_id"], row["snapshot_date"]
        window = [
            e for e in events_by_account[account]
            if day - dt.timedelta(days=30) <= _day(e["occurred_at"]) < day
        ]  # fmt: skip
        breadth = len({e["feature"] for e in window} & core) / len(core)
        assert abs(row["feature_breadth_value"] - breadth) < 1e-9, row

        seats = [
            u for u in raw_tables["users"]
            if u["account_id"] == account and u["is_licensed"] and _day(u["created_at"]) < day
            and (u["deactivated_at"] is None or u["deactivated_at"].date() >= day)
        ]  # fmt: skip
        active = {e["user_id"] for e in window}
        expected_penetration = len(active) / len(seats) if seats else None
        if expected_penetration is None:
            assert row["seat_penetration_value"] is None, row
        else:
            assert abs(row["seat_penetration_value"] - expected_penetration) < 1e-9, row

        answers = sorted(
            (r["responded_at"], r["response_id"], r["score"])
            for r in raw_tables["nps_responses"]
            if r["account_id"] == account
            and day - dt.timedelta(days=365) <= _day(r["responded_at"]) < day
        )
        assert row["nps_latest_value"] == (answers[-1][2] if answers else None), row

        term_ends = [
            li["end_date"] for li in raw_tables["subscription_line_items"]
            if li["account_id"] == account and li["line_type"] == "recurring"
            and li["interval_months"] >= 12 and li["start_date"] <= day
            and li["end_date"] is not None and li["end_date"] > day
        ]  # fmt: skip
        expected_days = (min(term_ends) - day).days if term_ends else None
        assert row["days_to_renewal_value"] == expected_days, row
