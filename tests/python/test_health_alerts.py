"""Alerts a team can work (docs/definitions.md#health-alerts).

The alert episodes are replayed here in plain Python, as a state machine over each account's
health history (account, snapshot_date, composite_score, band, change_7d of
`health.fct_account_health`), with the documented rules: hysteresis (two consecutive snapshots,
or more than the margin past the boundary), one open alert per account, superseded by a more
urgent level, recovered under the same hysteresis, churned when the ARR goes to zero, nothing
from insufficient_data. The mart computes the same with window functions; both must agree row
for row. "What changed" is recomputed from the signal scores and the seed weights, and the
weekly volume from the episodes, with the share of paying accounts printed.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import statistics
from collections import defaultdict

import pytest
import yaml

from conftest import REPO, Build

LEVEL_RANK = {"at_risk": 1, "sharp_drop": 2, "critical": 3, "churning": 4}
CHANGE_WORDS = re.compile(
    r"^(?P<signal>.+?) (?:down from|up from|from) (?P<before>\S+) to (?P<after>\S+) "
    r"\((?P<points>-?[\d.]+) points\)$"
)


def project_vars() -> dict:
    with open(REPO / "dbt_project.yml") as f:
        return yaml.safe_load(f)["vars"]


def scored_bands() -> list[dict]:
    """The seed's bands with a score range (insufficient_data has none)."""
    with open(REPO / "seeds" / "health_bands.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["band_order"]]
    return [
        {
            "band": r["band"],
            "order": int(r["band_order"]),
            "lower": float(r["lower_score"]),
            "upper": float(r["upper_score"]) if r["upper_score"] else None,
        }
        for r in rows
    ]


def nominal_weights() -> dict[str, float]:
    """Signal weight x category weight from the prior seeds (the build scores with them)."""
    with open(REPO / "seeds" / "health_category_weights.csv", newline="") as f:
        categories = {r["category"]: float(r["weight"]) for r in csv.DictReader(f)}
    with open(REPO / "seeds" / "health_signals.csv", newline="") as f:
        return {
            r["signal_name"]: float(r["weight"]) * categories[r["category"]]
            for r in csv.DictReader(f)
        }


def band_order_of(score: float, bands: list[dict]) -> int:
    for b in bands:
        if score >= b["lower"] and (b["upper"] is None or score < b["upper"]):
            return b["order"]
    raise AssertionError(f"no band for {score}")


def replay_episodes(history: list[dict], margin: float, drop: float) -> list[dict]:
    """The alert episodes of the whole book, by the rules of docs/definitions.md#health-alerts."""
    bands = scored_bands()
    order = {b["band"]: b["order"] for b in bands}
    band_by_order = {b["order"]: b["band"] for b in bands}
    at_risk, healthy = order["at_risk"], order["healthy"]
    book_dates = sorted({r["snapshot_date"] for r in history})
    next_book_date = dict(zip(book_dates, book_dates[1:], strict=False))
    previous_book_date = {later: earlier for earlier, later in next_book_date.items()}

    by_account = defaultdict(list)
    for r in history:
        by_account[r["account_id"]].append(r)

    episodes = []
    for account, rows in by_account.items():
        rows.sort(key=lambda r: r["snapshot_date"])
        current = None  # the open episode
        previous = None
        for row in rows:
            day = row["snapshot_date"]
            contiguous = previous is not None and previous[
                "snapshot_date"
            ] == previous_book_date.get(day)
            if previous is not None and not contiguous and current is not None:
                # no ARR on the book snapshot after the previous one: churned
                current.update(resolved_at=next_book_date[previous["snapshot_date"]],
                               close_reason="churned")  # fmt: skip
                current = None
            level = trigger = None
            back_to_healthy = False
            # a sharp drop compares with the snapshot 7 days before (change_7d exists only when
            # both are scored); a band change needs this and the previous snapshot scored
            dropped = row["change_7d"] is not None and row["change_7d"] <= -drop
            held_down = None
            if contiguous and None not in (row["composite_score"], previous["composite_score"]):
                now, before = order[row["band"]], order[previous["band"]]
                score = row["composite_score"]
                held_down = min(max(now, before), band_order_of(score + margin, bands))
                held_up = max(min(now, before), band_order_of(max(score - margin, 0), bands))
                back_to_healthy = held_up >= healthy
            if held_down is not None and held_down < at_risk:
                level = band_by_order[held_down]
            elif dropped:
                level = "sharp_drop"
            elif held_down == at_risk:
                level = "at_risk"
            if level == "sharp_drop":
                trigger = "sharp_drop"
            elif level is not None:
                trigger = "held_two_snapshots" if max(now, before) == held_down else "past_margin"
            if current is not None and level and LEVEL_RANK[level] > LEVEL_RANK[current["level"]]:
                current.update(resolved_at=day, close_reason="superseded")
                superseded = current["level"]
                current = None
            else:
                superseded = None
            if current is not None and back_to_healthy and level is None:
                current.update(resolved_at=day, close_reason="recovered")
                current = None
            if current is None and level is not None:
                current = {
                    "account_id": account, "opened_at": day, "resolved_at": None,
                    "close_reason": None, "level": level, "trigger": trigger,
                    "superseded_level": superseded,
                }  # fmt: skip
                episodes.append(current)
            previous = row
        if current is not None and previous["snapshot_date"] in next_book_date:
            current.update(resolved_at=next_book_date[previous["snapshot_date"]],
                           close_reason="churned")  # fmt: skip
    return episodes


@pytest.fixture(scope="module")
def alerts_build(generated_build: Build) -> Build:
    """The generated book of conftest (300 accounts, 30 months, seed 7: not the demo's 42)."""
    return generated_build


@pytest.fixture(scope="module")
def history(alerts_build: Build) -> list[dict]:
    return alerts_build.dicts(
        "select account_id, snapshot_date, composite_score, band, change_7d "
        "from health.fct_account_health"
    )


@pytest.fixture(scope="module")
def expected_episodes(history) -> list[dict]:
    v = project_vars()
    return replay_episodes(
        history, v["health_alert_band_margin_points"], v["health_alert_drop_points"]
    )


def test_alert_episodes_match_a_plain_python_replay(alerts_build, expected_episodes):
    mart = alerts_build.dicts(
        "select account_id, opened_at, resolved_at, close_reason, alert_level as level, "
        "alert_trigger as trigger, superseded_level from health.fct_health_alerts"
    )
    key = lambda e: (e["account_id"], e["opened_at"])  # noqa: E731
    assert len(expected_episodes) > 20, "too few alerts on the book to test anything"
    assert sorted(mart, key=key) == sorted(expected_episodes, key=key)
    reasons = {e["close_reason"] for e in expected_episodes}
    levels = {e["level"] for e in expected_episodes}
    assert {"recovered", "churned", "superseded", None} <= reasons, reasons
    assert {"at_risk", "sharp_drop", "critical"} <= levels, levels


def test_one_open_alert_per_account_and_no_overlap(alerts_build):
    rows = alerts_build.dicts(
        "select account_id, opened_at, resolved_at from health.fct_health_alerts "
        "order by account_id, opened_at"
    )
    for earlier, later in zip(rows, rows[1:], strict=False):
        if earlier["account_id"] == later["account_id"]:
            assert earlier["resolved_at"] is not None, earlier
            assert earlier["resolved_at"] <= later["opened_at"], (earlier, later)


def test_what_changed_is_weight_times_score_change(alerts_build):
    weights = nominal_weights()
    signals = list(weights)
    columns = ", ".join(f"{s}_score, {s}_value" for s in signals)
    health = {
        (r["account_id"], r["snapshot_date"]): r
        for r in alerts_build.dicts(
            f"select account_id, snapshot_date, snapshot_7_days_before, {columns} "
            "from health.fct_account_health"
        )
    }
    alerts = alerts_build.dicts(
        "select account_id, opened_at, what_changed from health.fct_health_alerts"
    )
    checked = 0
    for alert in alerts:
        opened = health[(alert["account_id"], alert["opened_at"])]
        before = health.get((alert["account_id"], opened["snapshot_7_days_before"]))
        losses = []
        if before is not None:
            for s in signals:
                if opened[f"{s}_score"] is None or before[f"{s}_score"] is None:
                    continue
                points = weights[s] * (opened[f"{s}_score"] - before[f"{s}_score"])
                if points < 0:
                    losses.append((points, s))
        losses.sort()
        if not losses:
            assert alert["what_changed"] is None, alert
            continue
        parts = alert["what_changed"].split("; ")
        assert len(parts) == min(3, len(losses)), alert
        for (points, signal), part in zip(losses, parts, strict=False):
            words = CHANGE_WORDS.match(part)
            assert words, part
            assert words["signal"] == signal.replace("_", " "), (part, losses[:3])
            assert float(words["points"]) == pytest.approx(points, abs=0.051)
            assert float(words["before"]) == pytest.approx(before[f"{signal}_value"], abs=0.006)
            assert float(words["after"]) == pytest.approx(opened[f"{signal}_value"], abs=0.006)
        checked += 1
    assert checked > 10


def band_crossings_per_week(history: list[dict], drop: float) -> dict[dt.date, int]:
    """The alerts of the rule before the episodes: every band change between an account's
    consecutive scored snapshots, and every sharp drop, each an alert."""
    crossings = defaultdict(int)
    previous = {}
    for r in sorted(history, key=lambda r: (r["account_id"], r["snapshot_date"])):
        before = previous.get(r["account_id"])
        changed = (
            before is not None
            and r["composite_score"] is not None
            and before["composite_score"] is not None
            and r["band"] != before["band"]
        )
        if changed or (r["change_7d"] is not None and r["change_7d"] <= -drop):
            crossings[week_of(r["snapshot_date"])] += 1
        previous[r["account_id"]] = r
    return crossings


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def test_weekly_alert_volume(alerts_build, history, expected_episodes):
    """The volume mart from the replayed episodes; the share of paying accounts printed beside
    the rule before (every band crossing an alert)."""
    v = project_vars()
    target = v["health_alert_weekly_share_target"]
    paying = defaultdict(set)
    for r in history:
        paying[week_of(r["snapshot_date"])].add(r["account_id"])
    opened = defaultdict(int)
    for e in expected_episodes:
        opened[week_of(e["opened_at"])] += 1
    mart = {
        r["week_start"]: r
        for r in alerts_build.dicts("select * from health.fct_health_alert_volume")
    }
    assert set(mart) == set(paying)
    for w in sorted(paying):
        assert mart[w]["paying_accounts"] == len(paying[w]), w
        assert mart[w]["opened_alerts"] == opened[w], w
        assert mart[w]["is_within_target"] == (opened[w] <= target * len(paying[w])), w
    crossings = band_crossings_per_week(history, v["health_alert_drop_points"])
    weeks = sorted(paying)
    last_year = weeks[-52:]
    for label, span in (("all weeks", weeks), ("last 52 weeks", last_year)):
        shares = [opened[w] / len(paying[w]) for w in span]
        before = [crossings[w] / len(paying[w]) for w in span]
        print(
            f"\n{label} ({len(span)}): new alerts / paying accounts median "
            f"{statistics.median(shares):.1%}, mean {statistics.mean(shares):.1%}, max "
            f"{max(shares):.1%}, {sum(s > target for s in shares)} weeks over {target:.0%}; "
            f"band crossings before: median {statistics.median(before):.1%}"
        )
    shares = [opened[w] / len(paying[w]) for w in last_year]
    before = [crossings[w] / len(paying[w]) for w in last_year]
    # hysteresis and one open alert per account cut the volume to well under half of it
    assert statistics.median(shares) <= 0.5 * statistics.median(before)
