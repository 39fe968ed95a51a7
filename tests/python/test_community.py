"""Community marts (issue 14) against independent plain-Python computations.

Two generated books (seeds 7 and 11, 2,000 accounts, 36 months; not the demo's 42). The generator
plants a community effect with a causal part (a member's churn hazard times
``causal_hazard_ratio``) and a confounded part (larger, healthier, older accounts join more),
both in the manifest's ``community`` block.

1. The raw comparison of fct_community_retention (snapshots, churns, raw risk ratio) equals the
   one computed here from the raw parquet files: paid periods merged from the recurring line
   items with a positive price, monthly snapshots on the 1st of each month with 180 days of
   follow-up and a member window covered by the community export, member = any community
   activity in the 90 days before, outcome = the paid period ends within 180 days.
2. The Mantel-Haenszel ratio and its Greenland-Robins interval equal those computed here from
   the snapshot rows and their strata.
3. The planted effect: the book realises the planted factor within its sampling error; the
   strata move the ratio from the raw one towards 1 and a protective effect remains; the adjusted
   interval holds the realised causal hazard ratio of the manifest on seed 7 and misses it on
   seed 11 (a strict xfail with the figures: observed membership attenuates the ratio).
4. Engaged users: scores, the top 20% and the gone-quiet users recomputed from the raw files.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections import defaultdict

import pyarrow.parquet as pq
import pytest

from conftest import REPO, build_ok, generate_book

SEEDS = (7, 11)
MEMBER_DAYS = 90
OUTCOME_DAYS = 180
Z = 1.96
SELECT = [
    "--select",
    "+fct_community_retention",
    "+fct_community_engaged_users",
    "--indirect-selection",
    "cautious",
]


def _rows(path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def _periods(raw, as_of: dt.date) -> dict[str, list[tuple[dt.date, dt.date | None]]]:
    """Paid periods per account: recurring lines with a positive price, merged when they touch."""
    lines = defaultdict(list)
    for r in _rows(raw / "subscription_line_items.parquet"):
        paid = r["unit_price"] * r["quantity"] * (1 - (r["discount_pct"] or 0)) > 0
        if r["line_type"] != "recurring" or not paid or r["start_date"] > as_of:
            continue
        end = r["end_date"] if r["end_date"] is not None and r["end_date"] <= as_of else None
        lines[r["account_id"]].append((r["start_date"], end))
    far = dt.date(9999, 12, 31)
    out = {}
    for account, items in lines.items():
        items.sort(key=lambda x: (x[0], x[1] or far))
        merged = []
        for start, end in items:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end or far)
            else:
                merged.append([start, end or far])
        out[account] = [(s, None if e == far else e) for s, e in merged]
    return out


def _independent(raw) -> dict:
    manifest = json.loads((raw / "generator_manifest.json").read_text())
    as_of = dt.date.fromisoformat(manifest["window"]["end_date"])
    periods = _periods(raw, as_of)
    activity = defaultdict(list)
    for r in _rows(raw / "community_activity.parquet"):
        activity[r["account_id"]].append(r["occurred_at"].replace(tzinfo=None))
    covered_from = min(t for ts in activity.values() for t in ts).date() + dt.timedelta(
        days=MEMBER_DAYS
    )
    first = min(s for ps in periods.values() for s, _ in ps)
    month = dt.date(first.year, first.month, 1)
    counts = {"n1": 0, "a": 0, "n0": 0, "c": 0}
    while month + dt.timedelta(days=OUTCOME_DAYS) <= as_of:
        if month >= covered_from:
            lo = dt.datetime.combine(month - dt.timedelta(days=MEMBER_DAYS), dt.time())
            hi = dt.datetime.combine(month, dt.time())
            for account, ps in periods.items():
                for start, end in ps:
                    if start <= month and (end is None or end > month):
                        member = any(lo <= t < hi for t in activity.get(account, ()))
                        churned = end is not None and end <= month + dt.timedelta(days=OUTCOME_DAYS)
                        counts["n1" if member else "n0"] += 1
                        counts["a" if member else "c"] += int(churned)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return {"counts": counts, "manifest": manifest, "as_of": as_of}


@pytest.fixture(scope="module", params=SEEDS)
def community(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"community_seed_{request.param}")
    raw = generate_book(root / "raw", 2000, 36, seed=request.param)
    build = build_ok(root, raw, extra_args=SELECT)
    return build, raw, _independent(raw)


def _overall(build) -> dict:
    rows = build.dicts("select * from community.fct_community_retention where element = 'all'")
    assert len(rows) == 1
    return rows[0]


def test_the_raw_comparison_is_recounted_from_the_raw_files(community):
    build, _raw, expected = community
    row = _overall(build)
    c = expected["counts"]
    assert c["n1"] > 1000 and c["a"] > 50, c  # enough power for the checks below
    assert row["member_snapshots"] == c["n1"]
    assert row["member_churns"] == c["a"]
    assert row["non_member_snapshots"] == c["n0"]
    assert row["non_member_churns"] == c["c"]
    raw_rr = (c["a"] / c["n1"]) / (c["c"] / c["n0"])
    assert row["raw_risk_ratio"] == pytest.approx(raw_rr, abs=1e-4)
    se = math.sqrt(1 / c["a"] - 1 / c["n1"] + 1 / c["c"] - 1 / c["n0"])
    assert row["raw_risk_ratio_lower"] == pytest.approx(raw_rr * math.exp(-Z * se), abs=1e-4)
    assert row["raw_risk_ratio_upper"] == pytest.approx(raw_rr * math.exp(Z * se), abs=1e-4)


def test_the_mantel_haenszel_ratio_is_recomputed_from_the_strata(community):
    build, _raw, _expected = community
    strata = defaultdict(lambda: [0, 0, 0, 0])  # a, n1, c, n0
    for seg, tenure, health, member, churned in build.query(
        "select segment, tenure_band, health_stratum, is_member, is_churned "
        "from intermediate.int_community_snapshots_flagged"
    ):
        s = strata[(seg, tenure, health)]
        if member:
            s[0] += churned
            s[1] += 1
        else:
            s[2] += churned
            s[3] += 1
    r = s_ = p = 0.0
    for a, n1, c, n0 in strata.values():
        n = n1 + n0
        r += a * n0 / n
        s_ += c * n1 / n
        p += (n1 * n0 * (a + c) - a * c * n) / n**2
    rr = r / s_
    se = math.sqrt(p / (r * s_))
    row = _overall(build)
    assert row["adjusted_risk_ratio"] == pytest.approx(rr, abs=1e-4)
    assert row["adjusted_risk_ratio_lower"] == pytest.approx(rr * math.exp(-Z * se), abs=1e-4)
    assert row["adjusted_risk_ratio_upper"] == pytest.approx(rr * math.exp(Z * se), abs=1e-4)
    assert row["strata"] == len(strata)


def test_the_book_realises_the_planted_factor_within_its_sampling_error(community):
    _build, _raw, expected = community
    block = expected["manifest"]["community"]
    planted, realised = block["causal_hazard_ratio"], block["causal_hazard_ratio_realised"]
    decisions = block["churn_decisions_realised"]
    se = math.sqrt(1 / decisions["members"] + 1 / decisions["non_members"])
    assert abs(math.log(realised / planted)) < 3 * se, block


def test_the_strata_move_the_ratio_towards_no_effect(community):
    """Larger, healthier accounts are active in the community more (the manifest's confounding):
    within segment x tenure x health the members' advantage shrinks, and a protective effect
    remains (the planted factor is protective on every seed)."""
    build, _raw, _expected = community
    row = _overall(build)
    assert row["raw_risk_ratio"] < row["adjusted_risk_ratio"] < 1, row


# Seeds where the adjusted interval misses the realised causal effect, with the measured figures
# (README, Community). A strict xfail: the day it passes, the test says so.
NOT_RECOVERED = {
    11: "adjusted 0.906 (0.827-0.992), raw 0.724, against a realised 0.782: membership is "
    "observed as 90 days of activity, so a quiet member counts as a non-member in its stratum "
    "and the ratio moves towards 1",
}


def test_the_adjusted_interval_holds_the_causal_effect(community, request):
    """The adjusted interval holds the causal effect as the book realised it (the planted factor
    times this book's chance), and the adjusted ratio is nearer it than the raw ratio. Not met on
    every seed: NOT_RECOVERED."""
    seed = request.node.callspec.params["community"]
    if seed in NOT_RECOVERED:
        request.applymarker(pytest.mark.xfail(strict=True, reason=NOT_RECOVERED[seed]))
    build, _raw, expected = community
    causal = expected["manifest"]["community"]["causal_hazard_ratio_realised"]
    row = _overall(build)
    assert row["adjusted_risk_ratio_lower"] <= causal <= row["adjusted_risk_ratio_upper"], row
    # issue 14's check: the adjusted estimate is nearer the causal effect than the raw one
    assert abs(row["adjusted_risk_ratio"] - causal) < abs(row["raw_risk_ratio"] - causal), row


def test_the_claim_check_reads_the_adjusted_interval(community):
    """claim_check is recomputed from each row's interval and the playbook's 0.5-0.7."""
    build, _raw, _expected = community
    for r in build.dicts("select * from community.fct_community_retention"):
        if r["adjusted_risk_ratio_upper"] >= 1:
            verdict = "not_significant"
        elif r["adjusted_risk_ratio_lower"] > 0.7:
            verdict = "weaker_than_claimed"
        elif r["adjusted_risk_ratio_upper"] < 0.5:
            verdict = "stronger_than_claimed"
        else:
            verdict = "consistent"
        assert r["claim_check"] == verdict, r


def test_every_element_is_compared_against_the_non_members(community):
    build, _raw, _expected = community
    rows = build.dicts("select * from community.fct_community_retention order by element")
    with (REPO / "seeds" / "community_elements.csv").open() as f:
        elements = {r["element"] for r in csv.DictReader(f)}
    assert {r["element"] for r in rows} == elements | {"all"}
    overall = _overall(build)
    for r in rows:
        assert r["non_member_snapshots"] == overall["non_member_snapshots"]
        assert r["member_snapshots"] <= overall["member_snapshots"]
        assert r["claimed_risk_ratio_low"] == 0.5 and r["claimed_risk_ratio_high"] == 0.7
        assert r["claim_check"] != "insufficient_data"


def test_engaged_users_are_recomputed_from_the_raw_files(community):
    build, raw, expected = community
    as_of = expected["as_of"]
    with (REPO / "seeds" / "community_elements.csv").open() as f:
        points = {r["activity_type"]: int(r["engagement_points"]) for r in csv.DictReader(f)}
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    start = end - dt.timedelta(days=90)
    quiet_from = end - dt.timedelta(days=28)
    score, recent, before = defaultdict(int), defaultdict(int), defaultdict(int)
    for r in _rows(raw / "community_activity.parquet"):
        t = r["occurred_at"].replace(tzinfo=None)
        if t >= end:
            continue
        u = r["user_id"]
        score[u] += points[r["activity_type"]] if t >= start else 0
        recent[u] += t >= quiet_from
        before[u] += quiet_from - dt.timedelta(days=90) <= t < quiet_from
    got = {
        r["user_id"]: r
        for r in build.dicts(
            "select user_id, engagement_score, is_advisory_board_candidate, is_gone_quiet "
            "from community.fct_community_engaged_users"
        )
    }
    assert set(got) == set(score)
    assert all(got[u]["engagement_score"] == score[u] for u in score)
    quiet = {u for u in score if recent[u] == 0 and before[u] > 0}
    assert {u for u, r in got.items() if r["is_gone_quiet"]} == quiet
    engaged = sorted((s for s in score.values() if s > 0), reverse=True)
    top = [u for u, r in got.items() if r["is_advisory_board_candidate"]]
    assert len(top) == math.ceil(0.2 * len(engaged))
    # the candidates are the highest scores (ties at the cut broken by recency)
    assert min(score[u] for u in top) == engaged[len(top) - 1]
