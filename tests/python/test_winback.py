"""Win-back marts against a plain-Python recomputation from the raw files, and the measured
reactivation against the generator's planted win-back probabilities.

A generated book (600 accounts, 36 months, seed 13, not the demo's 42). From the raw files
alone: churns and returns from the paid recurring line items, reasons from churn_surveys or
from the rules of seeds/winback_reason_rules.csv evaluated here on crm_events, invoices and the
month-end ARR, and the Kaplan-Meier share back within 12 months per reason.

What the measured share converges to: the generator decides a win-back once per account, at its
first churn, with the probability of its true reason (constants WINBACK_PROBABILITY, in the
manifest), and brings it back 2-12 months later on the same day of the month, so always within
12 months of the churn; a second churn never comes back. By the true reason of first churns the
Kaplan-Meier share converges to the planted probability itself. By the reason the marts assign
(a survey reason is noisy, an inferred one more so, and second churns are in the mix) it
converges to the mean planted probability of the churns assigned that reason (zero for second
churns).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import math
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from conftest import REPO, build_ok, generate_book

SEED = 13
HORIZON_DAYS = 366  # the var winback_horizon_days
SURVEY_MATCH_DAYS = 45
FAR = dt.date(9999, 12, 31)


def _rows(path, sql: str) -> list[dict]:
    with duckdb.connect() as con:
        cursor = con.execute(sql.format(path=path))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _raw(raw, table: str) -> list[dict]:
    return _rows(raw / f"{table}.parquet", "select * from read_parquet('{path}')")


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _cents(x: float) -> Decimal:
    return Decimal(str(round(x, 6))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    raw = generate_book(tmp_path_factory.mktemp("winback") / "raw", 600, 36, seed=SEED)
    build = build_ok(
        tmp_path_factory.mktemp("winback_build"),
        raw,
        # cautious: leave out the tests of marts outside the selection that share a parent
        extra_args=[
            "--select",
            "+fct_winback_candidates",
            "+fct_winback_performance",
            "fct_winback_reactivation_curves",
            "--indirect-selection",
            "cautious",
        ],  # fmt: skip
    )
    return raw, build


@pytest.fixture(scope="module")
def expected(book):
    """Every churn with its reason and return, recomputed from the raw files in Python."""
    raw, build = book
    # as_of_date is the run's reporting date (its own tests are in test_quality_suites)
    as_of = build.query("select as_of_date from intermediate.int_as_of_date_resolved")[0][0]
    rates = {r["currency"]: r["rate_to_usd"] for r in _raw(raw, "fx_rates")}
    lines = []
    for r in _raw(raw, "subscription_line_items"):
        if (r["line_type"] or "recurring") != "recurring":
            continue
        arr = (
            r["quantity"] * r["unit_price"] * (1 - r["discount_pct"]) * 12 / r["interval_months"]
        ) * rates.get(r["currency"], 1.0)
        lines.append((r["account_id"], r["start_date"], r["end_date"], arr))

    # paid periods: paid lines started by as_of_date, touching or overlapping ones merged
    paid = defaultdict(list)
    for acct, start, end, arr in lines:
        if arr > 0 and start <= as_of:
            paid[acct].append((start, FAR if end is None or end > as_of else end))
    periods = {}
    for acct, spans in paid.items():
        merged = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        periods[acct] = merged
    churns = []
    for acct, merged in periods.items():
        first_revenue = merged[0][0]
        for i, (_start, end) in enumerate(merged):
            if end != FAR:
                back = merged[i + 1][0] if i + 1 < len(merged) else None
                churns.append(
                    {"account_id": acct, "churn_date": end, "returned_on": back,
                     "tenure_days": (end - first_revenue).days}
                )  # fmt: skip

    # month-end ARR per account (the as_of month read at as_of_date): contraction movements
    by_account = defaultdict(list)
    for acct, start, end, arr in lines:
        by_account[acct].append((start, end, arr))
    first_month = {}
    for acct, ls in by_account.items():
        months_with_arr = [s.replace(day=1) for s, e, a in ls if a > 0]
        if months_with_arr:
            first_month[acct] = min(months_with_arr)
    contractions = defaultdict(list)
    for acct, month in first_month.items():
        previous = Decimal(0)
        while month <= as_of.replace(day=1):
            last = dt.date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
            snap = min(last, as_of)
            arr = _cents(
                sum(a for s, e, a in by_account[acct] if s <= snap and (e is None or e > snap))
            )
            if 0 < arr < previous:
                contractions[acct].append(snap)
            previous = arr
            month = _add_months(month, 1)

    signals = defaultdict(list)  # (account, signal) -> dates
    crm_signal = {
        "champion_left": "champion_left_events",
        "competitor_mention": "competitor_events",
        "competitor_page_visit": "competitor_events",
        "higher_tier_feature_attempt": "higher_tier_feature_attempts",
    }
    for r in _raw(raw, "crm_events"):
        if r["event_type"] in crm_signal:
            signals[(r["account_id"], crm_signal[r["event_type"]])].append(r["occurred_at"].date())
    invoices = defaultdict(list)
    for r in _raw(raw, "invoices"):
        if r["status"] != "void":
            paid_on = r["paid_at"].date() if r["paid_at"] else None
            invoices[r["account_id"]].append((r["due_date"], paid_on))
    tiers = {r["account_id"]: r["icp_tier"] for r in _raw(raw, "accounts")}
    surveys = defaultdict(list)
    for r in _raw(raw, "churn_surveys"):
        surveys[r["account_id"]].append(r)
    with open(REPO / "seeds" / "winback_reason_rules.csv", newline="", encoding="utf-8") as f:
        rules = sorted(csv.DictReader(f), key=lambda r: int(r["rule_order"]))

    def value(churn, signal, lookback):
        acct, day = churn["account_id"], churn["churn_date"]
        if signal == "tenure_days":
            return churn["tenure_days"]
        if signal == "icp_tier":
            return tiers.get(acct)
        if signal == "payment_issues":
            dates = [
                due
                for due, paid_on in invoices[acct]
                if due < day and (paid_on is None or paid_on >= day or paid_on > due)
            ]
        elif signal == "contractions":
            dates = [d for d in contractions[acct] if d < day]
        else:
            dates = [d for d in signals[(acct, signal)] if d < day]
        return sum(1 for d in dates if (day - d).days <= lookback)

    for churn in churns:
        day = churn["churn_date"]
        near = [
            s
            for s in surveys[churn["account_id"]]
            if s["submitted_at"].date() <= as_of
            and abs((s["submitted_at"].date() - day).days) <= SURVEY_MATCH_DAYS
        ]
        near.sort(key=lambda s: s["survey_id"])
        near.sort(key=lambda s: s["submitted_at"], reverse=True)
        near.sort(key=lambda s: abs((s["submitted_at"].date() - day).days))
        if near:
            churn["churn_reason"], churn["reason_source"] = near[0]["reason_category"], "survey"
            continue
        churn["churn_reason"], churn["reason_source"] = "other", "unknown"
        for rule in rules:
            lookback = int(rule["lookback_days"]) if rule["lookback_days"] else None
            v = value(churn, rule["signal_name"], lookback)
            threshold = float(rule["threshold"])
            fires = (
                (v or 0) >= threshold
                if rule["comparison"] == "at_least"
                else v is not None and v < threshold
            )
            if fires:
                churn["churn_reason"], churn["reason_source"] = rule["churn_reason"], "inferred"
                break
    return as_of, churns


def _kaplan_meier(churns, as_of, z=1.96):
    """Share back within the horizon (1 - S) and its log(-log) Greenwood interval (95% with the
    default z)."""
    times = []
    for c in churns:
        horizon = c["churn_date"] + dt.timedelta(days=HORIZON_DAYS)
        back = c["returned_on"]
        if back is not None and back <= horizon:
            times.append(((back - c["churn_date"]).days, 1))
        else:
            times.append(((min(horizon, as_of) - c["churn_date"]).days, 0))
    survival, greenwood, at_risk = 1.0, 0.0, len(times)
    for t in sorted({t for t, _ in times}):
        d = sum(e for tt, e in times if tt == t)
        if d:
            survival *= 1 - d / at_risk
            greenwood += d / (at_risk * (at_risk - d)) if d < at_risk else 0.0
        at_risk -= sum(1 for tt, _ in times if tt == t)
    if survival == 1.0:
        return 0.0, 0.0, 1 - 0.025 ** (1 / len(times))
    if survival == 0.0:
        return 1.0, 1.0, 1.0
    se = math.sqrt(greenwood) / -math.log(survival)
    return (
        1 - survival,
        1 - survival ** math.exp(-z * se),
        1 - survival ** math.exp(z * se),
    )


def test_candidates_match_the_raw_files(book, expected):
    _raw_path, build = book
    as_of, churns = expected
    mart = build.dicts(
        "select account_id, churn_date, churn_reason, reason_source, returned_on "
        "from winback.fct_winback_candidates"
    )
    assert len(mart) == len(churns) > 100
    got = {(r["account_id"], r["churn_date"]): r for r in mart}
    want = {(c["account_id"], c["churn_date"]): c for c in churns}
    assert got.keys() == want.keys()
    wrong = [
        (k, {f: (got[k][f], want[k][f]) for f in ("churn_reason", "reason_source", "returned_on")})
        for k in want
        if any(got[k][f] != want[k][f] for f in ("churn_reason", "reason_source", "returned_on"))
    ]
    assert not wrong, wrong[:10]
    counts = defaultdict(int)
    for c in churns:
        counts[c["churn_reason"]] += 1
    mart_counts = dict(
        build.query("select churn_reason, churns from winback.fct_winback_performance")
    )
    assert {r: mart_counts[r] for r in counts} == dict(counts)
    assert mart_counts["all"] == len(churns)


def test_kaplan_meier_12_month_reactivation_matches_python(book, expected):
    _raw_path, build = book
    as_of, churns = expected
    by_reason = defaultdict(list)
    for c in churns:
        by_reason[c["churn_reason"]].append(c)
        by_reason["all"].append(c)
    mart = {
        r["churn_reason"]: r
        for r in build.dicts(
            "select churn_reason, reactivated_share_within_horizon as share, "
            "reactivated_share_lower as lower, reactivated_share_upper as upper "
            "from winback.fct_winback_performance"
        )
    }
    for reason, group in by_reason.items():
        share, lower, upper = _kaplan_meier(group, as_of)
        got = mart[reason]
        assert got["share"] == pytest.approx(share, abs=1e-6), reason
        assert got["lower"] == pytest.approx(lower, abs=1e-6), reason
        assert got["upper"] == pytest.approx(upper, abs=1e-6), reason
    # the published curve ends on the same share, at most the horizon after the churn
    ends = build.dicts(
        "select churn_reason, max(days_since_churn) as last_day, "
        "arg_max(reactivated_share, days_since_churn) as share "
        "from winback.fct_winback_reactivation_curves group by churn_reason"
    )
    assert {r["churn_reason"] for r in ends} == set(by_reason)
    for r in ends:
        share = _kaplan_meier(by_reason[r["churn_reason"]], as_of)[0]
        assert r["share"] == pytest.approx(share, abs=1e-6), r["churn_reason"]
        assert r["last_day"] <= 366


def test_measured_reactivation_covers_the_planted_winback_probability(book, expected):
    raw, build = book
    as_of, churns = expected
    manifest = json.loads((raw / "generator_manifest.json").read_text(encoding="utf-8"))
    planted = manifest["winback_probability"]
    truth = {r["account_id"]: r for r in _raw(raw, "ground_truth")}
    first_churns = defaultdict(list)
    unmatched = 0
    for c in churns:
        t = truth[c["account_id"]]
        if c["churn_date"] == t["first_churn_date"]:
            c["planted"] = planted[t["first_churn_reason"]]
            first_churns[t["first_churn_reason"]].append(c)
        elif c["churn_date"] == t["churn_date"]:
            c["planted"] = 0.0  # a second churn: the generator never brings it back
        else:
            unmatched += 1
            c["planted"] = None
    assert unmatched == 0

    # one interval per reason, all asserted: Bonferroni-adjusted so that together they cover
    # the planted values 95% of the time (seven separate 95% intervals all hold only ~70%)
    z = statistics.NormalDist().inv_cdf(1 - 0.025 / len(first_churns))
    print("\nby true reason of first churns: churns, KM 12-month share"
          f" [simultaneous 95%, z={z:.2f}], planted")  # fmt: skip
    for reason, group in sorted(first_churns.items()):
        share, lower, upper = _kaplan_meier(group, as_of, z)
        print(f"  {reason:20} {len(group):4}  {share:.3f} [{lower:.3f}, {upper:.3f}]  "
              f"{planted[reason]:.2f}")  # fmt: skip
        assert lower <= planted[reason] <= upper, reason

    mart = {
        r["churn_reason"]: r
        for r in build.dicts(
            "select churn_reason, churns, reactivated_share_within_horizon as share, "
            "reactivated_share_lower as lower, reactivated_share_upper as upper "
            "from winback.fct_winback_performance"
        )
    }
    # the mart publishes 95% intervals; asserted together, each is widened to the
    # Bonferroni z from the standard error its upper bound implies (log(-log) scale)
    reasons = sorted(r for r in mart if r != "all")
    z_all = statistics.NormalDist().inv_cdf(1 - 0.025 / len(reasons))
    print("by the marts' reason: churns, KM 12-month share [95%], expected (mixture), planted,"
          f" simultaneous interval (z={z_all:.2f})")  # fmt: skip
    for reason in reasons:
        group = [c for c in churns if c["churn_reason"] == reason]
        mixture = sum(c["planted"] for c in group) / len(group)
        got = mart[reason]
        lower, upper = got["lower"], got["upper"]
        if 0 < got["share"] < 1 and got["upper"] < 1:
            survival = 1 - float(got["share"])
            se = math.log(math.log(1 - float(got["upper"])) / math.log(survival)) / 1.96
            lower = 1 - survival ** math.exp(-z_all * se)
            upper = 1 - survival ** math.exp(z_all * se)
        print(f"  {reason:20} {got['churns']:4}  {got['share']:.3f} "
              f"[{got['lower']:.3f}, {got['upper']:.3f}]  {mixture:.3f}  "
              f"{planted[reason]:.2f}  [{lower:.3f}, {upper:.3f}]")  # fmt: skip
        assert got["lower"] <= got["share"] <= got["upper"], reason
        assert lower <= mixture <= upper, reason
