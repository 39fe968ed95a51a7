"""Every one of the 21 health signals, recomputed in plain Python from the raw files of the
generated book, for a deterministic sample of (account, snapshot) pairs, and compared with the
warehouse's `<signal>_value`; then every `<signal>_score` recomputed by hand from the seed line
(worst -> 0, best -> 100, clipped), the lines where lower is better included.

The expectations come from the written definitions (docs/definitions.md#health-signals, the
seed health_signals and the model docs), not from the SQL: a snapshot dated D sees the days
D-n .. D-1 of an n-day window, a timestamp counts on its UTC day, and "at D" means as the data
stood at the start of D (created before D, not yet ended before D). Where the first
expectation and the SQL disagreed, the SQL's rule was documented and adopted here: sessions are
session-days (int_usage_sessions_aggregated: a session crossing midnight counts once per day),
and payment behaviour reads the invoices issued in the 365 days before D. A void is read as of
D from voided_at (the export's status is its state at export).

Ticket and review tone are the feedback classifier's (docs/definitions.md#health-text-tone): the
texts are put together here from the raw rows as the definition says (a ticket's subject and
body as one text, a subject without closing punctuation ended with a full stop; a review is a
feedback item of source `review`; blank texts have no tone) and handed to
`nrr_engine.feedback`'s classifier directly, in this process. The classifier is the input of the
signal, tested on its own labelled set (tests/python/feedback); what is checked here is the
SQL between it and the signal: which texts count, on which day, for which account, averaged
over which window."""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import defaultdict

import pyarrow.parquet as pq
import pytest

from conftest import REPO
from nrr_engine.feedback import default_classifier
from nrr_engine.generate import FEATURE_CATALOGUE

SIGNALS = [
    "feature_breadth", "feature_depth", "integrations_connected", "seat_penetration",
    "workflows_created", "usage_trend", "session_depth_trend", "new_features_discovered",
    "champion_activity", "executive_sponsor_activity", "ticket_tone", "ticket_frequency_trend",
    "nps_latest", "nps_change", "community_participation", "review_tone", "days_to_renewal",
    "payment_behaviour", "expansion_conversations", "stakeholder_changes", "competitor_signals",
]  # fmt: skip
TOLERANCE = 1e-9  # values are ratios of small integers: equal up to float rounding
# the tone signals average each text's tone score kept to 9 decimals (exact decimal sums)
TONE_TOLERANCE = 1e-8
REVIEW_SOURCES = ("review",)  # the var health_review_tone_sources
SAMPLE_STRIDE = 97  # every 97th (account, snapshot) pair in sorted order: about 290 pairs
ACTIVITY_CAP_DAYS = 120  # champion and sponsor activity: capped, and the value with no one
TIER = dict(FEATURE_CATALOGUE)
CORE = {f for f, t in FEATURE_CATALOGUE if t == "core"}
EXPANSION_TYPES = {"expansion_inquiry", "pricing_page_visit", "higher_tier_feature_attempt"}
COMPETITOR_TYPES = {"competitor_mention", "competitor_page_visit"}


def day_of(value) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def days_before(value, snapshot: dt.date) -> int | None:
    """1 for the day before the snapshot; None for a missing date."""
    day = day_of(value)
    return None if day is None else (snapshot - day).days


def in_window(value, snapshot: dt.date, days: int, skip: int = 0) -> bool:
    """Dated in the `days` days before the snapshot, after skipping the `skip` latest days."""
    before = days_before(value, snapshot)
    return before is not None and skip < before <= skip + days


def known_before(value, snapshot: dt.date) -> bool:
    before = days_before(value, snapshot)
    return before is not None and before >= 1


@pytest.fixture(scope="module")
def raw(generated_build) -> dict[str, dict[str, list[dict]]]:
    """Raw rows per table, grouped by account."""
    tables = [
        "usage_events", "users", "integrations", "support_tickets", "nps_responses",
        "feedback_items", "invoices", "crm_events", "community_activity",
        "subscription_line_items",
    ]  # fmt: skip
    grouped = {}
    for table in tables:
        rows = pq.read_table(generated_build.raw_path / f"{table}.parquet").to_pylist()
        by_account = defaultdict(list)
        for row in rows:
            by_account[row["account_id"]].append(row)
        grouped[table] = by_account
    return grouped


@pytest.fixture(scope="module")
def seed_lines() -> dict[str, tuple[float, float]]:
    with (REPO / "seeds" / "health_signals.csv").open(newline="") as handle:
        return {
            r["signal_name"]: (float(r["worst_value"]), float(r["best_value"]))
            for r in csv.DictReader(handle)
        }


def ticket_text(ticket: dict) -> str:
    """Subject and body as one text; a subject without closing punctuation gets a full stop.
    Trimmed of spaces at both ends, as SQL's trim() does."""
    subject, body = (ticket["subject"] or "").strip(" "), ticket["body"] or ""
    if not subject:
        return body.strip(" ")
    if not body.strip(" "):
        return subject
    separator = " " if subject[-1] in ".!?" else ". "
    return (subject + separator + body).strip(" ")


@pytest.fixture(scope="module")
def tone_of(raw) -> dict[str, float]:
    """The classifier's tone score of every ticket and review with a text, by raw row id."""
    texts = {}
    for tickets in raw["support_tickets"].values():
        for ticket in tickets:
            texts[ticket["ticket_id"]] = ticket_text(ticket)
    for items in raw["feedback_items"].values():
        for item in items:
            if item["source"] in REVIEW_SOURCES:
                texts[item["feedback_id"]] = (item["body"] or "").strip(" ")
    texts = {row_id: text for row_id, text in texts.items() if text}
    classified = default_classifier().classify(list(texts.values()), ids=list(texts)).texts
    return dict(zip(classified["id"], classified["tone_score"].astype(float), strict=True))


def sessions_in(events: list[dict], snapshot, days, skip=0) -> dict[tuple, set[str]]:
    """(session id, day) -> distinct features that day, for the window's session days: a
    session that crosses midnight counts once per day (int_usage_sessions_aggregated)."""
    sessions = defaultdict(set)
    for e in events:
        if in_window(e["occurred_at"], snapshot, days, skip):
            sessions[(e["session_id"], day_of(e["occurred_at"]))].add(e["feature"])
    return sessions


def active_at(user: dict, snapshot) -> bool:
    """Created before the snapshot and not deactivated before it."""
    return known_before(user["created_at"], snapshot) and not known_before(
        user["deactivated_at"], snapshot
    )


def days_since_role_used(role, users, events, snapshot) -> float:
    people = {u["user_id"] for u in users if u["role"] == role and active_at(u, snapshot)}
    last = [
        days_before(e["occurred_at"], snapshot)
        for e in events
        if e["user_id"] in people and known_before(e["occurred_at"], snapshot)
    ]
    return float(min([ACTIVITY_CAP_DAYS, *last]))


def void_at(invoice: dict, snapshot) -> bool:
    """The export's status is its state at export: a void invoice is void at a snapshot only
    once voided_at has passed (without a voided_at: since its issue, as no better date exists)."""
    if invoice["status"] != "void":
        return False
    return invoice.get("voided_at") is None or known_before(invoice["voided_at"], snapshot)


def expected_signals(account: str, snapshot: dt.date, raw, tone_of) -> dict[str, float | None]:
    """Every signal of one account at one snapshot, from the definitions."""
    events = raw["usage_events"][account]
    users = raw["users"][account]
    crm = raw["crm_events"][account]
    recent = [e for e in events if in_window(e["occurred_at"], snapshot, 30)]
    out: dict[str, float | None] = {}

    # adoption
    out["feature_breadth"] = len({e["feature"] for e in recent} & CORE) / len(CORE)
    deep = [e for e in recent if TIER[e["feature"]] in ("advanced", "workflow")]
    out["feature_depth"] = len(deep) / len(recent) if recent else 0.0
    out["integrations_connected"] = float(
        sum(
            1
            for i in raw["integrations"][account]
            if known_before(i["connected_at"], snapshot)
            and not known_before(i["disconnected_at"], snapshot)
        )
    )
    seats = [u for u in users if u["is_licensed"] and active_at(u, snapshot)]
    out["seat_penetration"] = len({e["user_id"] for e in recent}) / len(seats) if seats else None
    out["workflows_created"] = float(
        len(
            {
                (e["session_id"], day_of(e["occurred_at"]))
                for e in recent
                if TIER[e["feature"]] == "workflow"
            }
        )
    )

    # engagement
    last_30 = sessions_in(events, snapshot, 30)
    prior_30 = sessions_in(events, snapshot, 30, skip=30)
    if not last_30:
        out["usage_trend"] = 0.0
    elif not prior_30:
        out["usage_trend"] = 2.0
    else:
        out["usage_trend"] = len(last_30) / len(prior_30)
    if last_30 and prior_30:
        depth_now = sum(len(f) for f in last_30.values()) / len(last_30)
        depth_before = sum(len(f) for f in prior_30.values()) / len(prior_30)
        out["session_depth_trend"] = depth_now / depth_before
    else:
        out["session_depth_trend"] = None
    first_use: dict[str, int] = {}
    for e in events:
        if known_before(e["occurred_at"], snapshot):
            before = days_before(e["occurred_at"], snapshot)
            first_use[e["feature"]] = max(first_use.get(e["feature"], 0), before)
    out["new_features_discovered"] = float(sum(1 for d in first_use.values() if d <= 90))
    out["champion_activity"] = days_since_role_used("champion", users, events, snapshot)
    out["executive_sponsor_activity"] = days_since_role_used(
        "executive_sponsor", users, events, snapshot
    )

    # sentiment
    tickets = raw["support_tickets"][account]
    tones = [
        tone_of[t["ticket_id"]]
        for t in tickets
        if t["ticket_id"] in tone_of and in_window(t["created_at"], snapshot, 90)
    ]
    out["ticket_tone"] = math.fsum(tones) / len(tones) if tones else None
    tickets_30 = sum(1 for t in tickets if in_window(t["created_at"], snapshot, 30))
    tickets_90_before = sum(1 for t in tickets if in_window(t["created_at"], snapshot, 90, 30))
    out["ticket_frequency_trend"] = (tickets_30 + 1) / (tickets_90_before / 3 + 1)
    answers = sorted(
        (r["responded_at"], r["response_id"], r["score"])
        for r in raw["nps_responses"][account]
        if in_window(r["responded_at"], snapshot, 365)
    )
    out["nps_latest"] = float(answers[-1][2]) if answers else None
    out["nps_change"] = float(answers[-1][2] - answers[-2][2]) if len(answers) >= 2 else None
    out["community_participation"] = float(
        sum(
            1
            for c in raw["community_activity"][account]
            if in_window(c["occurred_at"], snapshot, 90)
        )
    )
    reviews = [
        tone_of[f["feedback_id"]]
        for f in raw["feedback_items"][account]
        if f["feedback_id"] in tone_of and in_window(f["created_at"], snapshot, 365)
    ]
    out["review_tone"] = math.fsum(reviews) / len(reviews) if reviews else None

    # commercial
    term_ends = [
        li["end_date"]
        for li in raw["subscription_line_items"][account]
        if li["line_type"] == "recurring"
        and li["interval_months"] >= 12
        and li["start_date"] <= snapshot
        and li["end_date"] is not None
        and li["end_date"] > snapshot
    ]
    out["days_to_renewal"] = float((min(term_ends) - snapshot).days) if term_ends else None
    # invoices issued in the 365 days before the snapshot (the look-back of the signal)
    invoices = [i for i in raw["invoices"][account] if in_window(i["issued_at"], snapshot, 365)]
    overdue = sum(
        1
        for i in invoices
        if not void_at(i, snapshot)
        and known_before(i["issued_at"], snapshot)
        and known_before(i["due_date"], snapshot)
        and not known_before(i["paid_at"], snapshot)
    )
    late = sum(
        1
        for i in invoices
        if i["paid_at"] is not None
        and in_window(i["paid_at"], snapshot, 90)
        and day_of(i["paid_at"]) > i["due_date"]
    )
    out["payment_behaviour"] = overdue + 0.5 * late
    out["expansion_conversations"] = float(
        sum(
            1
            for c in crm
            if c["event_type"] in EXPANSION_TYPES and in_window(c["occurred_at"], snapshot, 90)
        )
    )
    recent_types = {c["event_type"] for c in crm if in_window(c["occurred_at"], snapshot, 180)}
    out["stakeholder_changes"] = (
        1.0 if "champion_left" in recent_types else 0.4 if "new_executive" in recent_types else 0.0
    )
    out["competitor_signals"] = float(
        sum(
            1
            for c in crm
            if c["event_type"] in COMPETITOR_TYPES and in_window(c["occurred_at"], snapshot, 90)
        )
    )
    return out


@pytest.fixture(scope="module")
def sample(generated_build, raw, tone_of) -> list[tuple[dict, dict]]:
    """(warehouse row, expected values) for every SAMPLE_STRIDE-th pair in sorted order."""
    columns = ", ".join(f"{s}_value, {s}_score" for s in SIGNALS)
    rows = generated_build.dicts(
        f"select account_id, snapshot_date, {columns} from health.fct_account_health "
        "order by account_id, snapshot_date"
    )
    picked = rows[::SAMPLE_STRIDE]
    return [
        (row, expected_signals(row["account_id"], row["snapshot_date"], raw, tone_of))
        for row in picked
    ]


# the value of a signal when the account has no row of its input (0 for the others)
NO_INPUT_VALUE = {
    "champion_activity": ACTIVITY_CAP_DAYS,
    "executive_sponsor_activity": ACTIVITY_CAP_DAYS,
    "ticket_frequency_trend": 1,  # (0 + 1) / (0 + 1)
}


def test_the_sample_has_pairs_with_and_without_each_input(sample):
    """A comparison on a sample where a signal is always 0 (or always missing) proves little."""
    assert len(sample) >= 200
    for signal in SIGNALS:
        values = [expected[signal] for _, expected in sample]
        baseline = NO_INPUT_VALUE.get(signal, 0)
        informative = [v for v in values if v is not None and v != baseline]
        empty = [v for v in values if v is None or v == baseline]
        if signal == "days_to_renewal":  # missing on monthly plans; never 0 while a term runs
            empty = [v for v in values if v is None]
        assert len(informative) >= 5, (signal, len(informative))
        assert len(empty) >= 5, (signal, len(empty))


@pytest.mark.parametrize("signal", SIGNALS)
def test_signal_value_matches_the_plain_python_computation(sample, signal):
    wrong = []
    tolerance = TONE_TOLERANCE if signal in ("ticket_tone", "review_tone") else TOLERANCE
    for row, expected in sample:
        got, want = row[f"{signal}_value"], expected[signal]
        if (got is None) != (want is None) or (
            want is not None and abs(float(got) - want) > tolerance
        ):
            wrong.append((row["account_id"], row["snapshot_date"], got, want))
    assert not wrong, f"{len(wrong)} of {len(sample)} differ: {wrong[:5]}"


def score_by_hand(value: float, worst: float, best: float) -> float:
    """Position of the value on the line from worst (0) to best (100), clipped to 0-100.
    Written out for both directions rather than as one formula, so that the lower-is-better
    lines (worst > best) are checked on their own terms."""
    if worst < best:
        if value <= worst:
            return 0.0
        if value >= best:
            return 100.0
        return (value - worst) / (best - worst) * 100
    if value >= worst:
        return 0.0
    if value <= best:
        return 100.0
    return (worst - value) / (worst - best) * 100


def test_lower_is_better_lines_by_hand():
    """The hand formula on the seed's reversed lines, with values worked out on paper."""
    assert score_by_hand(16.5, 30, 3) == pytest.approx(50)  # champion activity: halfway
    assert score_by_hand(3, 30, 3) == 100 and score_by_hand(1, 30, 3) == 100
    assert score_by_hand(30, 30, 3) == 0 and score_by_hand(120, 30, 3) == 0
    assert score_by_hand(0.5, 2, 0) == pytest.approx(75)  # payment behaviour
    assert score_by_hand(1.5, 3, 1) == pytest.approx(75)  # ticket frequency trend
    assert score_by_hand(0.4, 1, 0) == pytest.approx(60)  # stakeholder changes: new executive


@pytest.mark.parametrize("signal", SIGNALS)
def test_signal_score_is_the_clipped_seed_line(sample, seed_lines, signal):
    worst, best = seed_lines[signal]
    wrong = []
    seen_between = False
    for row, expected in sample:
        value = expected[signal]
        got = row[f"{signal}_score"]
        if value is None:
            if got is not None:
                wrong.append((row["account_id"], row["snapshot_date"], value, got, None))
            continue
        want = score_by_hand(value, worst, best)
        seen_between = seen_between or 0 < want < 100
        # scores are stored rounded to 2 decimals: at most half a cent from the exact line
        if got is None or abs(float(got) - want) > 0.005 + TOLERANCE:
            wrong.append((row["account_id"], row["snapshot_date"], value, got, want))
    assert not wrong, f"{len(wrong)} of {len(sample)} differ: {wrong[:5]}"
    if signal not in ("integrations_connected", "stakeholder_changes", "nps_latest"):
        assert seen_between, f"{signal}: no score strictly between 0 and 100 in the sample"


def test_a_void_invoice_is_overdue_until_it_is_voided(generated_build, raw, tone_of):
    """Every snapshot between the due date and the void of an invoice voided after it fell due:
    payment behaviour must count it as overdue there (the export's `void` must not reach back),
    and as void at the first snapshot after."""
    voided_late = [
        i
        for rows in raw["invoices"].values()
        for i in rows
        if i["status"] == "void" and i["voided_at"] and day_of(i["voided_at"]) > i["due_date"]
    ]
    assert len(voided_late) >= 3, "the generated book should void some invoices after due"
    rows = generated_build.dicts(
        "select account_id, snapshot_date, payment_behaviour_value "
        "from health.fct_account_health order by account_id, snapshot_date"
    )
    by_account = defaultdict(list)
    for row in rows:
        by_account[row["account_id"]].append(row)
    checked_before = checked_after = 0
    for invoice in voided_late:
        voided_on = day_of(invoice["voided_at"])
        for row in by_account[invoice["account_id"]]:
            day = row["snapshot_date"]
            if not invoice["due_date"] < day <= voided_on + dt.timedelta(days=7):
                continue
            want = expected_signals(row["account_id"], day, raw, tone_of)["payment_behaviour"]
            assert row["payment_behaviour_value"] == pytest.approx(want), (invoice, row, want)
            if day <= voided_on:
                checked_before += 1
                assert want >= 1  # this invoice is overdue at that snapshot
            else:
                checked_after += 1
    assert checked_before >= 3 and checked_after >= 1, (checked_before, checked_after)
