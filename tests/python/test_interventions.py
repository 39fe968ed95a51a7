"""Intervention playbooks on a generated book (docs/definitions.md#interventions).

Recomputed here in plain Python, never by the code under test: the arm of every account from
hashlib (the generator's formula), the counts and save rates of fct_intervention_outcomes from
the rows of fct_intervention_episodes, and the shape of the Monday list.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict

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
    worklist = generated_build.dicts(
        "select * from interventions.fct_cs_worklist order by worklist_rank"
    )
    by_id = {e["episode_id"]: e for e in episodes}
    open_ids = {e["episode_id"] for e in episodes if e["status"] == "open"}
    assert worklist, "no open episode on the generated book"
    assert {row["episode_id"] for row in worklist} == open_ids
    assert [row["worklist_rank"] for row in worklist] == list(range(1, len(worklist) + 1))
    holdout_flags = [row["is_holdout"] for row in worklist]
    assert holdout_flags == sorted(holdout_flags)  # every treated row before any holdout row
    for row in worklist:
        episode = by_id[row["episode_id"]]
        assert row["is_holdout"] == (python_arm(row["account_id"]) == "holdout")
        assert row["current_level"] == episode["current_level"]
        assert row["reason"]
        if row["is_holdout"]:
            assert row["work_instruction"] == "holdout: monitor, do not work"
