"""The feedback marts on a generated book: fct_feedback_theme_outcomes recomputed in plain Python
from the raw files, and the generator's planted theme effects found.

A generated book (600 accounts, 24 months, seed 11). From the raw files alone: each account's
paid ARR day by day from the recurring line items (quantity x price x (1 - discount) x 12 /
interval x rate, start inclusive, end exclusive), its churns (ARR to zero), contractions (down,
still above zero) and expansions (up from above zero), and every non-empty text with its day
and account. The themes of a text are the classifier's (feedback.py_feedback_texts_classified,
the input of the SQL under test) for the recomputation, and the generator's true themes
(feedback_truth) for the planted effects.

What the planted effects converge to: the generator makes customer texts (tickets, NPS, feedback
items) dated window_days before an outcome mention a theme rate_multiplier times as often
(manifest key feedback_theme_effects). Accounts mentioning the theme in a month then see the
outcome within 90 days more often than accounts writing that month without it: with the true
themes the lift is above 1 for every planted effect. The classifier's themes are noisier (a
wrong theme dilutes the contrast), and the corpus holds CRM and CS notes the effects are not
planted in, so the mart's lift is smaller than the true one, but still above 1 for every
planted effect; for the strongest on the most events (reliability before churn, 3x) its whole
95% interval is above 1.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

import duckdb
import pytest

from conftest import build_ok, generate_book

SEED = 11
WINDOW_DAYS = 90  # the var feedback_outcome_window_days
# raw table -> (text id prefix, id column, time column, text expression)
TEXT_SOURCES = {
    "support_tickets": ("ticket", "ticket_id", "created_at", None),
    "nps_responses": ("nps", "response_id", "responded_at", "comment"),
    "feedback_items": ("feedback", "feedback_id", "created_at", "body"),
    "churn_surveys": ("survey", "survey_id", "submitted_at", "comment"),
    "crm_events": ("crm", "crm_event_id", "occurred_at", "details"),
    "cs_activities": ("cs", "activity_id", "occurred_at", "notes"),
}


def _rows(sql: str) -> list[dict]:
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    raw = generate_book(tmp_path_factory.mktemp("feedback") / "raw", 600, 24, seed=SEED)
    build = build_ok(
        tmp_path_factory.mktemp("feedback_build"),
        raw,
        unit_tests=True,  # the feedback models' unit tests (a plain build leaves them out)
        extra_args=[
            "--select",
            "+fct_feedback_theme_outcomes",
            "+fct_feedback_themes_monthly",
            "+fct_feedback_competitor_mentions",
            "int_feedback_corpus_sources_counted",
            "--indirect-selection",
            "cautious",
        ],  # fmt: skip
    )
    return raw, build


def _arr_changes(raw) -> dict[str, list[tuple[dt.date, float, float]]]:
    """Per account: (day, ARR before, ARR after) of every change of its paid recurring ARR."""
    rates = {r["currency"]: r["rate_to_usd"] for r in _rows(f"from '{raw}/fx_rates.parquet'")}
    rates["USD"] = 1.0
    deltas: dict[str, dict[dt.date, float]] = defaultdict(lambda: defaultdict(float))
    for line in _rows(f"from '{raw}/subscription_line_items.parquet'"):
        if line["line_type"] != "recurring":
            continue
        arr = (
            line["quantity"] * line["unit_price"] * (1 - line["discount_pct"]) * 12
            / line["interval_months"] * rates[line["currency"]]
        )  # fmt: skip
        if arr <= 0:
            continue
        deltas[line["account_id"]][line["start_date"]] += arr
        if line["end_date"] is not None:
            deltas[line["account_id"]][line["end_date"]] -= arr
    changes = {}
    for account, by_day in deltas.items():
        running, out = 0.0, []
        for day in sorted(by_day):
            before, running = running, running + by_day[day]
            if round(by_day[day], 2) != 0:
                out.append((day, round(before, 2), round(running, 2)))
        changes[account] = out
    return changes


def _arr_on(changes, account, day) -> float:
    arr = 0.0
    for changed_on, _, after in changes.get(account, []):
        if changed_on <= day:
            arr = after
    return arr


def _texts(raw) -> list[dict]:
    """Every non-empty text of the raw tables: text_id, raw table and id, account, time."""
    texts = []
    for table, (prefix, id_column, time_column, text) in TEXT_SOURCES.items():
        if text is None:  # a ticket: its subject and body
            text = "coalesce(subject, '') || coalesce(body, '')"
        for row in _rows(
            f"select {id_column} as row_id, account_id, {time_column} as written_at, "
            f"{text} as text from '{raw}/{table}.parquet'"
        ):
            if row["text"] is not None and row["text"].strip():
                texts.append({**row, "table": table, "text_id": f"{prefix}:{row['row_id']}"})
    return texts


def _outcome_days(changes, outcome: str) -> dict[str, list[dt.date]]:
    def is_kind(before, after):
        if outcome == "churn":
            return before > 0 and after <= 0
        if outcome == "contraction":
            return before > 0 and 0 < after < before
        return before > 0 and after > before  # expansion

    return {
        account: [day for day, before, after in rows if is_kind(before, after)]
        for account, rows in changes.items()
    }


def _measure(texts, themes_of, changes, as_of, theme, outcome) -> dict:
    """The mart's figures for one theme and outcome, by the definitions, in plain Python."""
    events = _outcome_days(changes, outcome)
    observable = [
        t for t in texts
        if t["account_id"] is not None
        and t["written_at"].date() + dt.timedelta(days=WINDOW_DAYS) <= as_of
        and _arr_on(changes, t["account_id"], t["written_at"].date()) > 0
    ]  # fmt: skip
    counts = defaultdict(int)
    months: dict[tuple, dict] = {}
    for t in sorted(observable, key=lambda t: (t["written_at"], t["text_id"])):
        day = t["written_at"].date()
        followed = any(
            day <= e <= day + dt.timedelta(days=WINDOW_DAYS)
            for e in events.get(t["account_id"], [])
        )
        mentions = theme in themes_of.get(t["text_id"], ())
        counts["texts_before" if followed else "texts_otherwise"] += 1
        counts["mentions_before" if followed else "mentions_otherwise"] += mentions
        key = (t["account_id"], day.replace(day=1))
        if key not in months:  # the month's first text sets whether the outcome followed
            months[key] = {"outcome": followed, "mentioning": False}
        months[key]["mentioning"] |= mentions
    for month in months.values():
        group = "mentioning" if month["mentioning"] else "not_mentioning"
        counts[f"months_{group}"] += 1
        counts[f"months_{group}_with_outcome"] += month["outcome"]
    return counts


def _lift(counts) -> float | None:
    a, n1 = counts["months_mentioning_with_outcome"], counts["months_mentioning"]
    c, n0 = counts["months_not_mentioning_with_outcome"], counts["months_not_mentioning"]
    return (a / n1) / (c / n0) if a and c else None


@pytest.fixture(scope="module")
def inputs(book):
    raw, build = book
    changes = _arr_changes(raw)
    texts = _texts(raw)
    (as_of,) = build.query("select as_of_date from intermediate.int_as_of_date_resolved")[0]
    classified = {
        text_id: tuple(filter(None, themes.split("|")))
        for text_id, themes in build.query(
            "select text_id, themes from feedback.py_feedback_texts_classified"
        )
    }
    prefix = {table: spec[0] for table, spec in TEXT_SOURCES.items()}
    truth = {
        f"{prefix[r['source_table']]}:{r['row_id']}": tuple(
            filter(None, (r["themes"] or "").split("|"))
        )
        for r in _rows(f"from '{raw}/feedback_truth.parquet'")
    }
    manifest = json.loads((raw / "generator_manifest.json").read_text())
    return changes, texts, as_of, classified, truth, manifest["feedback_theme_effects"]


def _mart(build) -> dict[tuple[str, str], dict]:
    rows = build.dicts("select * from feedback.fct_feedback_theme_outcomes")
    return {(r["theme"], r["outcome"]): r for r in rows}


def test_every_text_of_the_raw_tables_is_in_the_corpus(book, inputs):
    _, build = book
    _, texts, _, classified, _, _ = inputs
    assert {t["text_id"] for t in texts} == set(classified)


@pytest.mark.parametrize("outcome", ["churn", "contraction", "expansion"])
def test_the_outcome_figures_match_a_plain_python_recomputation(book, inputs, outcome):
    _, build = book
    changes, texts, as_of, classified, _, _ = inputs
    mart = _mart(build)
    themes = sorted({theme for theme, _ in mart})
    assert len(themes) >= 11
    for theme in themes:
        counts = _measure(texts, classified, changes, as_of, theme, outcome)
        row = mart[theme, outcome]
        found = {
            "texts_before_outcome": row["texts_before_outcome"],
            "mentions_before_outcome": row["mentions_before_outcome"],
            "texts_otherwise": row["texts_otherwise"],
            "mentions_otherwise": row["mentions_otherwise"],
            "account_months_mentioning": row["account_months_mentioning"],
            "account_months_mentioning_with_outcome": row["account_months_mentioning_with_outcome"],
            "account_months_not_mentioning": row["account_months_not_mentioning"],
            "account_months_not_mentioning_with_outcome": row[
                "account_months_not_mentioning_with_outcome"
            ],
        }
        expected = {
            "texts_before_outcome": counts["texts_before"],
            "mentions_before_outcome": counts["mentions_before"],
            "texts_otherwise": counts["texts_otherwise"],
            "mentions_otherwise": counts["mentions_otherwise"],
            "account_months_mentioning": counts["months_mentioning"],
            "account_months_mentioning_with_outcome": counts["months_mentioning_with_outcome"],
            "account_months_not_mentioning": counts["months_not_mentioning"],
            "account_months_not_mentioning_with_outcome": counts[
                "months_not_mentioning_with_outcome"
            ],
        }
        assert found == expected, (theme, outcome)
        lift = _lift(counts)
        assert row["lift"] == pytest.approx(round(lift, 4) if lift else None, abs=1e-4)


def test_the_planted_theme_effects_are_found(book, inputs):
    _, build = book
    changes, texts, as_of, classified, truth, effects = inputs
    mart = _mart(build)
    planted = effects["effects"]
    assert {(e["theme"], e["outcome"]) for e in planted} >= {("reliability", "churn")}
    report = []
    for effect in planted:
        theme, outcome = effect["theme"], effect["outcome"]
        true_lift = _lift(_measure(texts, truth, changes, as_of, theme, outcome))
        row = mart[theme, outcome]
        report.append((theme, outcome, effect["rate_multiplier"], true_lift, row["lift"]))
        # the design sees the planted effect with the true themes, and so does the mart
        assert true_lift > 1, report
        assert row["status"] == "ok" and row["lift"] > 1, report
    # the strongest planted effect on the most events: its whole interval above 1
    row = mart["reliability", "churn"]
    assert row["lift_lower"] > 1, (report, row["lift_lower"])
