"""The monthly Customer Feedback Synthesis Report (`python -m nrr_engine.feedback report`) and
the monthly outcomes mart, on one generated book (the session's 300 accounts over 30 months,
seed 7), built once for this file with the feedback marts.

The figures the report prints, and those of fct_feedback_theme_outcomes_monthly, are recomputed
here in plain Python from the marts' inputs: the corpus (int_feedback_corpus_unified: each
text's account, time, ARR and segment), the classifier's output (py_feedback_texts_classified,
py_feedback_sentences_classified: themes, tones, competitors) and the day-level ARR changes
(int_account_arr_changes_dated), never from the marts or report.py.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import subprocess
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from conftest import build_ok

WINDOW_DAYS = 90  # feedback_outcome_window_days
MIN_ACCOUNTS = 5  # feedback_min_accounts_per_month_group
Z = 1.96  # feedback_interval_z
NOT_PROBLEMS = {"praise"}  # feedback_non_problem_themes
PRESSING = {"urgent": 4, "negative": 3, "positive": 2, "neutral": 1}
OUTCOME_KINDS = {"churn_or_contraction": {"churn", "contraction"}, "expansion": {"expansion"}}


@pytest.fixture(scope="module")
def build(tmp_path_factory, generated_book):
    return build_ok(
        tmp_path_factory.mktemp("feedback_report"),
        generated_book,
        extra_args=["--select", "+path:models/marts/feedback", "--indirect-selection", "cautious"],
    )


def _report(build, out_dir, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable, "-m", "nrr_engine.feedback", "report",
            "--duckdb-path", str(build.warehouse), "--out", str(out_dir), *args,
        ],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def _dollars(value) -> str:
    return "$" + f"{Decimal(value).quantize(Decimal('1'), rounding=ROUND_HALF_UP):,}"


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


@pytest.fixture(scope="module")
def base(build):
    corpus = build.dicts(
        "select text_id, account_id, written_at, written_on, written_month, arr, segment "
        "from intermediate.int_feedback_corpus_unified"
    )
    texts = {
        r["text_id"]: r
        for r in build.dicts(
            "select text_id, themes, sentiment from feedback.py_feedback_texts_classified"
        )
    }
    sentences = build.dicts(
        "select text_id, sentence, themes, sentiment, competitors "
        "from feedback.py_feedback_sentences_classified"
    )
    changes = build.dicts(
        "select account_id, changed_on, change_kind from intermediate.int_account_arr_changes_dated"
    )
    (as_of,) = build.query("select as_of_date from intermediate.int_as_of_date_resolved")[0]
    # the themes of each text, and each theme's tone in it
    sentence_tone: dict[tuple[str, str], int] = {}
    for s in sentences:
        for theme in filter(None, s["themes"].split("|")):
            key = (s["text_id"], theme)
            sentence_tone[key] = max(sentence_tone.get(key, 0), PRESSING[s["sentiment"]])
    rank_to_tone = {v: k for k, v in PRESSING.items()}
    mentions = []  # (text row, theme, tone)
    for row in corpus:
        classified = texts.get(row["text_id"])
        if classified is None:
            continue
        for theme in filter(None, classified["themes"].split("|")):
            rank = sentence_tone.get((row["text_id"], theme))
            tone = rank_to_tone[rank] if rank else classified["sentiment"]
            mentions.append((row, theme, tone))
    return corpus, mentions, sentences, changes, as_of


@pytest.fixture(scope="module")
def default_report(build, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = _report(build, out)
    assert result.returncode == 0, result.stderr
    return out, result


def _report_month(base) -> dt.date:
    corpus, _, _, _, as_of = base
    return max(m for m in {r["written_month"] for r in corpus} if _month_end(m) <= as_of)


def test_the_default_month_is_the_latest_complete_one(default_report, base):
    out, _ = default_report
    month = _report_month(base)
    names = sorted(p.name for p in out.iterdir())
    stem = f"feedback_synthesis_{month:%Y-%m}"
    assert names == [f"{stem}.html", f"{stem}.md"]
    assert (
        (out / f"{stem}.md")
        .read_text()
        .startswith(f"# Customer Feedback Synthesis Report — {month:%B %Y}")
    )


def _theme_figures(mentions, month) -> dict[str, dict]:
    """Per problem theme of the month: mentions, accounts, ARR affected, weighted impact."""
    out: dict[str, dict] = {}
    by_theme = defaultdict(list)
    for row, theme, tone in mentions:
        if row["written_month"] == month and theme not in NOT_PROBLEMS:
            by_theme[theme].append((row, tone))
    for theme, items in by_theme.items():
        latest, latest_problem = {}, {}
        for row, tone in sorted(items, key=lambda i: (i[0]["written_at"], i[0]["text_id"])):
            if row["account_id"] is None:
                continue
            latest[row["account_id"]] = row["arr"]
            if tone in ("negative", "urgent"):
                latest_problem[row["account_id"]] = row["arr"]
        out[theme] = {
            "mentions": len(items),
            "accounts": len(latest),
            "arr": sum(latest.values(), Decimal(0)),
            "weighted": sum(latest_problem.values(), Decimal(0)),
            "problem_accounts": len(latest_problem),
        }
    return out


def test_top_themes_carry_the_recomputed_figures_in_weighted_impact_order(
    default_report, base, build
):
    out, _ = default_report
    month = _report_month(base)
    markdown = (out / f"feedback_synthesis_{month:%Y-%m}.md").read_text()
    figures = _theme_figures(base[1], month)
    expected = sorted(figures, key=lambda t: (-figures[t]["weighted"], -figures[t]["arr"], t))[:5]
    found = re.findall(
        r"^\d+\. \*\*(\w+) — (\d+) mentions by (\d+) accounts, (\$[\d,]+) ARR affected, "
        r"weighted impact (\$[\d,]+) \((\d+) accounts negative or urgent\), (.+)\*\*$",
        markdown,
        flags=re.M,
    )
    assert [f[0] for f in found] == expected
    trends = dict(
        build.query(
            "select theme, trend from feedback.fct_feedback_themes_monthly where month = ?",
            [month],
        )
    )
    arrows = {"rising": "↑", "falling": "↓", "steady": "→", "insufficient_data": "not tested"}
    for theme, mentions, accounts, arr, weighted, problem, trend in found:
        f = figures[theme]
        assert (int(mentions), int(accounts), int(problem)) == (
            f["mentions"], f["accounts"], f["problem_accounts"],
        )  # fmt: skip
        assert (arr, weighted) == (_dollars(f["arr"]), _dollars(f["weighted"]))
        assert arrows[trends[theme]] in trend


def test_quotes_are_sentences_of_the_month(default_report, base):
    out, _ = default_report
    month = _report_month(base)
    markdown = (out / f"feedback_synthesis_{month:%Y-%m}.md").read_text()
    corpus = {r["text_id"]: r for r in base[0]}
    month_sentences = {
        s["sentence"] for s in base[2] if corpus[s["text_id"]]["written_month"] == month
    }
    quotes = re.findall(r"“(.+?)”", markdown)
    assert quotes
    assert set(quotes) <= month_sentences


def _monthly_outcomes(base) -> dict[tuple, dict]:
    """fct_feedback_theme_outcomes_monthly by its definition, in plain Python."""
    corpus, mentions, _, changes, as_of = base
    paying = sorted(
        (r for r in corpus if r["account_id"] is not None and r["arr"] > 0),
        key=lambda r: (r["written_at"], r["text_id"]),
    )
    starts: dict[tuple, dt.date] = {}
    for r in paying:
        starts.setdefault((r["account_id"], r["written_month"]), r["written_on"])
    paying_ids = {r["text_id"] for r in paying}
    mentioned = {
        (row["account_id"], row["written_month"], theme)
        for row, theme, _ in mentions
        if row["text_id"] in paying_ids
    }
    events = defaultdict(list)
    for c in changes:
        events[c["account_id"]].append((c["changed_on"], c["change_kind"]))
    themes = {theme for _, theme, _ in mentions}
    out = {}
    for month in {m for _, m in starts}:
        window_end = _month_end(month) + dt.timedelta(days=WINDOW_DAYS)
        for outcome, kinds in OUTCOME_KINDS.items():
            had = {
                key
                for key, start in starts.items()
                if key[1] == month
                and any(
                    k in kinds and start <= day <= start + dt.timedelta(days=WINDOW_DAYS)
                    for day, k in events[key[0]]
                )
            }
            for theme in themes:
                keys = [k for k in starts if k[1] == month]
                yes = [k for k in keys if (k[0], month, theme) in mentioned]
                no = [k for k in keys if (k[0], month, theme) not in mentioned]
                a, n1 = sum(k in had for k in yes), len(yes)
                c, n0 = sum(k in had for k in no), len(no)
                if window_end > as_of:
                    status = "window_open"
                elif n1 < MIN_ACCOUNTS or n0 < MIN_ACCOUNTS:
                    status = "insufficient_data"
                else:
                    status = "ok"
                ratio = lower = upper = None
                if status == "ok" and a and c:
                    ratio = (a / n1) / (c / n0)
                    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
                    lower, upper = ratio * math.exp(-Z * se), ratio * math.exp(Z * se)
                out[(month, theme, outcome)] = {
                    "status": status, "a": a, "n1": n1, "c": c, "n0": n0,
                    "ratio": ratio, "lower": lower, "upper": upper,
                    "observed_through": min(window_end, as_of),
                }  # fmt: skip
    return out


@pytest.fixture(scope="module")
def expected_outcomes(base):
    return _monthly_outcomes(base)


def test_the_monthly_outcomes_equal_a_hand_computation(build, expected_outcomes):
    rows = build.dicts("select * from feedback.fct_feedback_theme_outcomes_monthly")
    got = {(r["month"], r["theme"], r["outcome"]): r for r in rows}
    assert got.keys() == expected_outcomes.keys()
    statuses = defaultdict(int)
    for key, e in expected_outcomes.items():
        r = got[key]
        statuses[e["status"]] += 1
        assert r["status"] == e["status"], key
        assert r["observed_through"] == e["observed_through"], key
        assert (
            r["accounts_mentioning_with_outcome"], r["accounts_mentioning"],
            r["accounts_not_mentioning_with_outcome"], r["accounts_not_mentioning"],
        ) == (e["a"], e["n1"], e["c"], e["n0"]), key  # fmt: skip
        for column, value in (("risk_ratio", "ratio"), ("risk_ratio_lower", "lower"),
                              ("risk_ratio_upper", "upper")):  # fmt: skip
            if e[value] is None:
                assert r[column] is None, key
            else:
                assert r[column] == pytest.approx(e[value], abs=5.1e-5), key
    # the book exercises every status, and ratios are published
    assert set(statuses) == {"ok", "window_open", "insufficient_data"}
    assert sum(e["ratio"] is not None for e in expected_outcomes.values()) > 20


def test_the_correlated_signals_print_the_recomputed_ratios(
    default_report, base, expected_outcomes
):
    out, _ = default_report
    month = _report_month(base)
    markdown = (out / f"feedback_synthesis_{month:%Y-%m}.md").read_text()
    # the report month's window is open (it ended on as_of_date or just before)
    assert f"{month:%Y-%m}: not enough data yet" in markdown
    closed = max(m for (m, _, _), e in expected_outcomes.items() if e["status"] != "window_open")
    assert f"The latest month whose window is over: {closed:%Y-%m}." in markdown
    sections = markdown.split("## ")
    for outcome, verb, title in (
        ("churn_or_contraction", "churned or contracted", "Churn-correlated"),
        ("expansion", "expanded", "Expansion-correlated"),
    ):
        section = next(s for s in sections if s.startswith(title))
        found = re.findall(
            rf"Accounts that mentioned (\w+) {verb} within 90 days ([\d.]+)x as often as "
            r"accounts that wrote without it \((\d+) of (\d+) = [\d.]+% against (\d+) of (\d+) = "
            r"[\d.]+%; 95% interval ([\d.]+)-([\d.]+)",
            section,
        )
        expected = {
            theme: e
            for (m, theme, o), e in expected_outcomes.items()
            if m == closed and o == outcome and e["ratio"] is not None and e["ratio"] > 1
        }
        assert sorted(f[0] for f in found) == sorted(expected)
        for theme, ratio, a, n1, c, n0, lower, upper in found:
            e = expected[theme]
            assert (int(a), int(n1), int(c), int(n0)) == (e["a"], e["n1"], e["c"], e["n0"])
            assert float(ratio) == pytest.approx(e["ratio"], abs=0.0051)
            assert float(lower) == pytest.approx(e["lower"], abs=0.0051)
            assert float(upper) == pytest.approx(e["upper"], abs=0.0051)
        short = sorted(
            t for (m, t, o), e in expected_outcomes.items()
            if m == closed and o == outcome and e["status"] == "insufficient_data"
        )  # fmt: skip
        if short:
            assert f"Not enough data for {', '.join(short)} (status insufficient_data" in section


def test_competitive_intelligence_counts_the_month_s_texts(default_report, base):
    out, _ = default_report
    corpus, _, sentences, _, _ = base
    month = _report_month(base)
    markdown = (out / f"feedback_synthesis_{month:%Y-%m}.md").read_text()
    rows = {r["text_id"]: r for r in corpus}
    negative: dict[tuple[str, str], bool] = {}
    for s in sentences:
        row = rows.get(s["text_id"])
        if row is None or row["written_month"] != month:
            continue
        for name in filter(None, s["competitors"].split("|")):
            key = (name, s["text_id"])
            negative[key] = negative.get(key, False) or s["sentiment"] in ("negative", "urgent")
    expected = defaultdict(lambda: {"texts": 0, "negative": 0, "latest": {}})
    for (name, text_id), is_negative in sorted(
        negative.items(), key=lambda kv: (rows[kv[0][1]]["written_at"], kv[0][1])
    ):
        e = expected[name]
        e["texts"] += 1
        e["negative"] += is_negative
        if rows[text_id]["account_id"] is not None:
            e["latest"][rows[text_id]["account_id"]] = rows[text_id]["arr"]
    found = re.findall(
        r"^- (.+?) mentioned in (\d+) negative comparisons of (\d+) texts by (\d+) accounts "
        r"\((\$[\d,]+) ARR\)",
        markdown,
        flags=re.M,
    )
    assert sorted(f[0] for f in found) == sorted(expected)
    for name, neg, texts, accounts, arr in found:
        e = expected[name]
        counts = (int(neg), int(texts), int(accounts))
        assert counts == (e["negative"], e["texts"], len(e["latest"]))
        assert arr == _dollars(sum(e["latest"].values(), Decimal(0)))


def test_the_html_is_self_contained_and_says_what_the_markdown_says(default_report, base):
    out, _ = default_report
    month = _report_month(base)
    page = (out / f"feedback_synthesis_{month:%Y-%m}.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    for external in ("http:", "https:", "//", "src=", "<link", "@import", "url("):
        assert external not in page.replace("<!DOCTYPE html>", "")
    assert "Top themes by weighted impact" in page
    assert "Competitive intelligence from feedback" in page


def test_a_month_without_feedback_is_refused_clearly(build, tmp_path):
    result = _report(build, tmp_path, "--month", "1999-01")
    assert result.returncode == 2
    assert "no feedback in the marts for 1999-01" in result.stderr
    assert list(tmp_path.iterdir()) == []
    bad = _report(build, tmp_path, "--month", "January")
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
