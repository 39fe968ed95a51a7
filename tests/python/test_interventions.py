"""Intervention playbooks on a generated book (docs/definitions.md#interventions).

Recomputed here in plain Python, never by the code under test: the arm of every account from
hashlib (the generator's formula), the counts and save rates of fct_intervention_outcomes from
the rows of fct_intervention_episodes, and the shape of the Monday list.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from conftest import REPO

PROJECT_VARS = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
SHARE = PROJECT_VARS["intervention_holdout_share"]
SALT = PROJECT_VARS["intervention_holdout_salt"]
MIN_EPISODES = PROJECT_VARS["intervention_min_settled_episodes"]


def python_arm(account_id: str) -> str:
    bucket = int(hashlib.md5((SALT + account_id).encode()).hexdigest()[:4], 16) / 65536
    return "holdout" if bucket < SHARE else "treated"


def seed_targets() -> dict[str, float]:
    with open(REPO / "seeds" / "intervention_levels.csv", newline="") as f:
        return {row["level"]: float(row["target_save_rate"]) for row in csv.DictReader(f)}


def rate(saved: int, episodes: int) -> float | None:
    return saved / episodes if episodes >= MIN_EPISODES else None


@pytest.fixture(scope="module")
def episodes(generated_build) -> list[dict]:
    return generated_build.dicts("select * from interventions.fct_intervention_episodes")


@pytest.fixture(scope="module")
def outcomes(generated_build) -> dict[str, dict]:
    rows = generated_build.dicts("select * from interventions.fct_intervention_outcomes")
    return {row["risk_level"]: row for row in rows}


def test_the_warehouse_arm_is_the_hashlib_arm_for_every_account(generated_build, episodes):
    arms = generated_build.query(
        "select distinct account_id, arm from intermediate.int_intervention_snapshots_leveled"
    )
    assert len(arms) == len({a for a, _ in arms})  # one arm per account
    assert len(arms) > 100
    assert {a: arm for a, arm in arms} == {a: python_arm(a) for a, _ in arms}
    assert {python_arm(e["account_id"]) == e["arm"] for e in episodes} == {True}
    holdout = sum(arm == "holdout" for _, arm in arms)
    assert 0 < holdout < len(arms) * 2 * SHARE  # a share near 10%, not all or none


def expected_outcomes(episodes: list[dict]) -> dict[str, dict]:
    targets = seed_targets()
    groups: dict[str, list[dict]] = defaultdict(list)
    for e in episodes:
        if e["outcome"] != "open":
            groups[e["opening_level"]].append(e)
            groups["overall"].append(e)
    out = {}
    for level in [*targets, "overall"]:
        rows = groups.get(level, [])
        treated = [e for e in rows if e["arm"] == "treated"]
        holdout = [e for e in rows if e["arm"] == "holdout"]
        on_time = [e for e in treated if e["sla_met"] is True]
        late = [e for e in treated if e["sla_met"] is False]

        def saved(es):
            return sum(e["outcome"] == "saved" for e in es)

        out[level] = {
            "treated_episodes": len(treated),
            "treated_saved": saved(treated),
            "treated_save_rate": rate(saved(treated), len(treated)),
            "holdout_episodes": len(holdout),
            "holdout_saved": saved(holdout),
            "holdout_save_rate": rate(saved(holdout), len(holdout)),
            "on_time_episodes": len(on_time),
            "on_time_saved": saved(on_time),
            "on_time_save_rate": rate(saved(on_time), len(on_time)),
            "late_or_never_episodes": len(late),
            "late_or_never_saved": saved(late),
            "late_or_never_save_rate": rate(saved(late), len(late)),
        }
    by_level = [(targets[lv], out[lv]["treated_episodes"]) for lv in targets]
    weight = sum(n for _, n in by_level)
    out["overall"]["target"] = sum(t * n for t, n in by_level) / weight if weight else None
    for level in targets:
        out[level]["target"] = targets[level]
    return out


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


def test_outcome_counts_and_rates_recomputed_from_the_episodes(episodes, outcomes):
    expected = expected_outcomes(episodes)
    assert set(outcomes) == set(expected)
    assert expected["overall"]["treated_episodes"] > 0
    for level, want in expected.items():
        got = outcomes[level]
        for name in [k for k in want if k.endswith(("_episodes", "_saved"))]:
            assert got[name] == want[name], (level, name)
        for name in [k for k in want if k.endswith("_rate")]:
            assert close(got[name], want[name]), (level, name, got[name], want[name])
        assert close(got["target_save_rate"], want["target"]), level
        enough = want["treated_episodes"] >= MIN_EPISODES and (
            want["holdout_episodes"] >= MIN_EPISODES
        )
        assert got["status"] == ("ok" if enough else "insufficient_data"), level
        if enough:
            uplift = want["treated_save_rate"] - want["holdout_save_rate"]
            assert close(got["uplift"], uplift), level
        else:
            assert got["uplift"] is None and got["uplift_ci_low"] is None, level


def test_the_uplift_interval_is_ordered_and_holds_the_estimate(outcomes):
    ok = [row for row in outcomes.values() if row["status"] == "ok"]
    # the book has enough settled episodes in both arms overall (about 30 holdout accounts)
    assert "overall" in {row["risk_level"] for row in ok}
    for row in ok:
        low, high, uplift = row["uplift_ci_low"], row["uplift_ci_high"], row["uplift"]
        assert low <= uplift <= high, row["risk_level"]
        assert low < high, row["risk_level"]  # a bootstrap with spread, not one repeated value
        assert row["bootstrap_replicates"] == PROJECT_VARS["intervention_bootstrap_replicates"]


def test_the_worklist_lists_only_open_episodes_treated_first(generated_build, episodes):
    everything = generated_build.dicts(
        "select * from interventions.fct_cs_worklist order by worklist_rank"
    )
    assert [row["worklist_rank"] for row in everything] == list(range(1, len(everything) + 1))
    worklist = [row for row in everything if row["risk_type"] == "health_risk"]
    by_id = {e["episode_id"]: e for e in episodes}
    open_ids = {e["episode_id"] for e in episodes if e["status"] == "open"}
    assert worklist, "no open episode on the generated book"
    assert {row["episode_id"] for row in worklist} == open_ids
    holdout_flags = [row["is_holdout"] for row in worklist]
    assert holdout_flags == sorted(holdout_flags)  # every treated row before any holdout row
    for row in worklist:
        episode = by_id[row["episode_id"]]
        assert row["is_holdout"] == (python_arm(row["account_id"]) == "holdout")
        assert row["current_level"] == episode["current_level"]
        assert row["reason"]
        if row["is_holdout"]:
            assert row["work_instruction"] == "holdout: monitor, do not work"


# Onboarding stalls on the Monday list (docs/definitions.md#the-worklist-risk-types), recomputed
# from the raw parquet files of the generated book and the seed onboarding_milestones.csv.
STALL_MAX_HOURS = PROJECT_VARS["onboarding_stall_max_hours"]
STALL_BEFORE_LEVEL = PROJECT_VARS["onboarding_stall_worklist_before_level"]


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _raw(book: Path, table: str) -> list[dict]:
    return pq.read_table(book / f"{table}.parquet").to_pylist()


def python_stalls(book: Path, as_of: dt.date) -> dict[str, dict]:
    """The first stalled milestone of every stalled account, from the raw files alone."""
    with open(REPO / "seeds" / "onboarding_milestones.csv", newline="") as f:
        milestones = [m for m in csv.DictReader(f) if m["trigger_when"] == "missed"]
    rule_types = {m["rule_type"] for m in milestones}
    assert rule_types <= {"feature_events", "active_days", "active_users"}, rule_types
    events = [e for e in _raw(book, "usage_events") if e["account_id"] and e["occurred_at"]]
    for e in events:
        e["occurred_at"] = _utc(e["occurred_at"])
    first_usage_day = min(e["occurred_at"].date() for e in events)
    data_end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    by_account: dict[str, list[dict]] = defaultdict(list)
    for e in events:
        by_account[e["account_id"]].append(e)

    stalls: dict[str, dict] = {}
    for account in _raw(book, "accounts"):
        created = _utc(account["created_at"])
        if not (first_usage_day <= created.date() <= as_of):
            continue
        hours_observed = (data_end - created).total_seconds() / 3600
        mine = sorted(
            (
                e
                for e in by_account[account["account_id"]]
                if created <= e["occurred_at"] < data_end
            ),
            key=lambda e: e["occurred_at"],
        )
        for m in sorted(milestones, key=lambda m: int(m["milestone_order"])):
            window = int(m["window_hours"])
            threshold = float(m["rule_threshold"])
            if m["rule_type"] == "feature_events":
                features = set(m["rule_values"].split(";"))
                units = sum(e["feature"] in features for e in mine)
            elif m["rule_type"] == "active_days":
                units = len({e["occurred_at"].date() for e in mine})
            else:
                units = len({e["user_id"] for e in mine if e["user_id"]})
            stalled_hours = hours_observed - window
            if units < threshold and 0 <= stalled_hours <= STALL_MAX_HOURS:
                stalls[account["account_id"]] = {
                    "milestone": m["milestone"],
                    "milestone_order": int(m["milestone_order"]),
                    "trigger_type": m["trigger_type"],
                    "next_step": m["trigger_text"],
                    "assigned_to": m["owner"],
                    "next_step_due_at": created + dt.timedelta(hours=window),
                    "days_stalled": int(stalled_hours // 24),
                    "is_holdout": python_arm(account["account_id"]) == "holdout",
                }
                break  # the first stalled milestone only
    return stalls


def test_the_worklist_stall_rows_are_the_stalls_of_the_raw_book(generated_build):
    worklist = generated_build.dicts(
        "select * from interventions.fct_cs_worklist order by worklist_rank"
    )
    as_of = worklist[0]["as_of_date"]
    expected = python_stalls(generated_build.raw_path, as_of)
    assert expected, "no stalled account on the generated book: the test would prove nothing"
    stall_rows = [row for row in worklist if row["risk_type"] == "onboarding_stall"]
    got = {
        row["account_id"]: {key: row[key] for key in expected[next(iter(expected))] if key in row}
        for row in stall_rows
    }
    for account_id, row in expected.items():
        row.pop("milestone_order")
        assert got.get(account_id) == row, account_id
    assert set(got) == set(expected)
    for row in stall_rows:
        assert row["episode_id"] is None and row["current_level"] is None
        assert row["sla_status"] is None
        assert row["reason"].startswith(f"missed {row['milestone']} ")
        assert row["work_instruction"] == (
            "holdout: monitor, do not work" if row["is_holdout"] else "send the onboarding trigger"
        )


def test_the_stalls_rank_just_before_their_level(generated_build):
    """Treated rows: the levels above STALL_BEFORE_LEVEL, then the stalls (earliest milestone,
    then the trigger due longest), then STALL_BEFORE_LEVEL and below; holdout rows last."""
    with open(REPO / "seeds" / "intervention_levels.csv", newline="") as f:
        order = {row["level"]: int(row["level_order"]) for row in csv.DictReader(f)}
    stall_key = 2 * order.get(STALL_BEFORE_LEVEL, 0) + 1
    rows = generated_build.dicts(
        "select * from interventions.fct_cs_worklist order by worklist_rank"
    )
    milestone_order = {"M1": 1, "M2": 2, "M3": 3, "M4": 4, "M5": 5}

    def key(row):
        if row["risk_type"] == "onboarding_stall":
            return (row["is_holdout"], -stall_key)
        return (row["is_holdout"], -2 * order[row["current_level"]])

    assert [key(r) for r in rows] == sorted(key(r) for r in rows)
    treated_stalls = [
        r for r in rows if r["risk_type"] == "onboarding_stall" and not r["is_holdout"]
    ]
    assert treated_stalls
    within = [(milestone_order[r["milestone"]], r["next_step_due_at"]) for r in treated_stalls]
    assert within == sorted(within)
