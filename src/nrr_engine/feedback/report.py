"""The monthly Customer Feedback Synthesis Report, as Markdown and self-contained HTML.

Every figure comes from the feedback marts (``feedback.fct_feedback_themes_monthly``,
``fct_feedback_theme_outcomes_monthly``, ``fct_feedback_theme_outcomes``,
``fct_feedback_competitor_mentions_monthly``), read through a read-only DuckDB connection; the
report computes nothing but their order and wording. Sections follow the template of Phase 3 of
the workflow: top themes by weighted impact, churn-correlated signals, expansion-correlated
signals, competitive intelligence (docs/definitions.md#feedback-report).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

SCHEMA = "feedback"
# What the seed's template recommends per route (seeds/feedback_themes.csv, column route).
ROUTE_ACTIONS = {
    "product": ("Product", "product fix"),
    "marketing": ("Marketing", "messaging change"),
    "cs_ops": ("CS / ops", "process change"),
}
TREND_WORDS = {
    "rising": "trending ↑",
    "falling": "trending ↓",
    "steady": "stable →",
    "insufficient_data": "trend not tested (too few mentions)",
}
OUTCOME_WORDS = {
    "churn_or_contraction": "churned or contracted",
    "expansion": "expanded",
}
LEAD_OUTCOMES = {"churn": "churn", "expansion": "expansion"}


class ReportError(Exception):
    """A month the marts cannot report on, or a warehouse without the feedback marts."""


@dataclass
class Block:
    """One piece of the report: a heading, a paragraph, a list, or a numbered list of items
    each with a title and lines under it."""

    kind: str  # h1 | h2 | p | ul | ol
    text: str = ""
    items: list = field(default_factory=list)


def money(value) -> str:
    """Whole US dollars, half up, with thousands separators: $1,234,567."""
    amount = Decimal(str(value or 0)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"${amount:,}"


def percent(share) -> str:
    return f"{Decimal(str(share)) * 100:.1f}%"


def month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _month_end(month: dt.date) -> dt.date:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _dicts(con, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def connect(duckdb_path: Path):
    if not Path(duckdb_path).is_file():
        raise ReportError(f"no warehouse at {duckdb_path}: run make build first")
    con = duckdb.connect(str(duckdb_path), read_only=True)
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [SCHEMA]
        ).fetchall()
    }
    needed = {
        "fct_feedback_themes_monthly",
        "fct_feedback_theme_outcomes_monthly",
        "fct_feedback_theme_outcomes",
        "fct_feedback_competitor_mentions_monthly",
    }
    if not needed <= present:
        con.close()
        raise ReportError(
            f"{duckdb_path} lacks the feedback marts ({', '.join(sorted(needed - present))}): "
            "run make build first"
        )
    return con


def latest_complete_month(con) -> dt.date:
    """The latest month of the marts that ended by the data's last date (the latest
    observed_through of the monthly outcomes: as_of_date while a window is open)."""
    months = [r[0] for r in con.execute(
        f"select distinct month from {SCHEMA}.fct_feedback_themes_monthly order by month"
    ).fetchall()]  # fmt: skip
    data_end = con.execute(
        f"select max(observed_through) from {SCHEMA}.fct_feedback_theme_outcomes_monthly"
    ).fetchone()[0]
    complete = [m for m in months if data_end is not None and _month_end(m) <= data_end]
    if not complete:
        raise ReportError("the feedback marts hold no complete month")
    return complete[-1]


def parse_month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as error:
        raise ReportError(f"--month must be YYYY-MM, not {text!r}") from error


def _theme_blocks(con, month: dt.date, top: int) -> list[Block]:
    rows = _dicts(
        con,
        f"""
        select * from {SCHEMA}.fct_feedback_themes_monthly
        where month = ? and is_problem and mentions > 0
        order by weighted_impact_arr desc, arr_affected desc, theme
        """,
        [month],
    )
    blocks = [Block("h2", "Top themes by weighted impact")]
    if not rows:
        return [*blocks, Block("p", "No problem theme was mentioned this month.")]
    blocks.append(
        Block(
            "p",
            "Weighted impact: the ARR of the accounts whose mention of the theme reads negative "
            "or urgent. ARR affected: the ARR of every account mentioning it.",
        )
    )
    items = []
    for row in rows[:top]:
        team, action = ROUTE_ACTIONS.get(row["route"], (row["route"] or "unrouted", "review"))
        trend = TREND_WORDS.get(row["trend"], row["trend"])
        if row["trend_p_value"] is not None:
            trend += f" (p = {row['trend_p_value']:.4f})"
        title = (
            f"{row['theme']} — {row['mentions']} mentions by {row['accounts']} accounts, "
            f"{money(row['arr_affected'])} ARR affected, weighted impact "
            f"{money(row['weighted_impact_arr'])} ({row['problem_accounts']} accounts negative "
            f"or urgent), {trend}"
        )
        quotes = [q for q in (row["quote_1"], row["quote_2"]) if q]
        lines = [
            "Representative quotes: " + ", ".join(f"“{q}”" for q in quotes)
            if quotes
            else "Representative quotes: none that meets the quote rule",
            f"Segment most affected: {row['segment_most_affected']} "
            f"({money(row['segment_most_affected_arr'])} ARR)"
            if row["segment_most_affected"]
            else "Segment most affected: none (no mention by an account)",
            f"Recommended action: {action}; route to {team}",
        ]
        items.append((title, lines))
    blocks.append(Block("ol", items=items))
    if len(rows) > top:
        blocks.append(Block("p", f"{len(rows) - top} more problem themes were mentioned."))
    return blocks


def _signal_lines(rows: list[dict], outcome: str) -> list[str]:
    verb = OUTCOME_WORDS[outcome]
    lines = []
    measured = sorted(
        (r for r in rows if r["status"] == "ok" and r["risk_ratio"] is not None),
        key=lambda r: (-r["risk_ratio"], r["theme"]),
    )
    for row in measured:
        if row["risk_ratio"] <= 1:
            continue
        clear = row["risk_ratio_lower"] > 1
        lines.append(
            f"Accounts that mentioned {row['theme']} {verb} within {row['window_days']} days "
            f"{row['risk_ratio']:.2f}x as often as accounts that wrote without it "
            f"({row['accounts_mentioning_with_outcome']} of {row['accounts_mentioning']} = "
            f"{percent(row['outcome_share_mentioning'])} against "
            f"{row['accounts_not_mentioning_with_outcome']} of {row['accounts_not_mentioning']} = "
            f"{percent(row['outcome_share_not_mentioning'])}; 95% interval "
            f"{row['risk_ratio_lower']:.2f}-{row['risk_ratio_upper']:.2f}"
            + ("" if clear else ", which includes 1: not conclusive")
            + ")"
        )
    if not lines:
        lines.append(f"No theme went with a higher share of accounts that {verb}.")
    not_ok = [r for r in rows if r["status"] != "ok"]
    if not_ok:
        names = ", ".join(sorted(r["theme"] for r in not_ok))
        lines.append(
            f"Not enough data for {names} (status insufficient_data: too few accounts "
            "mentioning the theme or writing without it)."
        )
    return lines


def _outcome_blocks(con, month: dt.date, outcome: str, title: str) -> list[Block]:
    rows = _dicts(
        con,
        f"select * from {SCHEMA}.fct_feedback_theme_outcomes_monthly where outcome = ? "
        "order by month, theme",
        [outcome],
    )
    blocks = [Block("h2", title)]
    this_month = [r for r in rows if r["month"] == month]
    if not this_month:
        blocks.append(
            Block("p", f"Not enough data: no paying account wrote in {month_label(month)}.")
        )
    elif all(r["status"] == "window_open" for r in this_month):
        window = this_month[0]["window_days"]
        blocks.append(
            Block(
                "p",
                f"{month_label(month)}: not enough data yet: the {window}-day window after the "
                f"month's texts is open (outcomes observed through "
                f"{this_month[0]['observed_through']}, the data's last date; the window of the "
                f"month's last day ends {_month_end(month) + dt.timedelta(days=window)}).",
            )
        )
        closed = sorted({r["month"] for r in rows if r["status"] != "window_open"})
        if closed:
            latest = closed[-1]
            blocks.append(
                Block("p", f"The latest month whose window is over: {month_label(latest)}.")
            )
            blocks.append(
                Block("ul", items=_signal_lines([r for r in rows if r["month"] == latest], outcome))
            )
    else:
        blocks.append(Block("ul", items=_signal_lines(this_month, outcome)))
    return blocks


def _lead_blocks(con, outcome: str, top: int = 3) -> list[Block]:
    rows = _dicts(
        con,
        f"""
        select * from {SCHEMA}.fct_feedback_theme_outcomes
        where outcome = ? and events_with_mention_in_lead_window > 0
        order by share_of_events_with_mention_in_lead_window desc, theme
        """,
        [outcome],
    )
    if not rows:
        return []
    lines = [
        f"A mention of {r['theme']} preceded "
        f"{percent(r['share_of_events_with_mention_in_lead_window'])} "
        f"of {outcome} events by {r['lead_window_min_days']}-{r['lead_window_max_days']} days "
        f"({r['events_with_mention_in_lead_window']} of {r['outcome_events']}, all months)"
        for r in rows[:top]
    ]
    return [
        Block("p", f"Lead time, over all months of the corpus ({outcome}):"),
        Block("ul", items=lines),
    ]


def _competitor_blocks(con, month: dt.date) -> list[Block]:
    rows = _dicts(
        con,
        f"""
        select * from {SCHEMA}.fct_feedback_competitor_mentions_monthly
        where month = ? and mentions > 0
        order by negative_comparisons desc, mentions desc, competitor
        """,
        [month],
    )
    blocks = [Block("h2", "Competitive intelligence from feedback")]
    if not rows:
        return [*blocks, Block("p", "No competitor was named this month.")]
    lines = []
    for row in rows:
        around = (
            f", primarily around {row['most_named_capability']} "
            f"({row['most_named_capability_mentions']} texts)"
            if row["most_named_capability"]
            else ""
        )
        lines.append(
            f"{row['competitor']} mentioned in {row['negative_comparisons']} negative comparisons "
            f"of {row['mentions']} texts by {row['accounts']} accounts "
            f"({money(row['arr'])} ARR){around}"
        )
    lines.append("Feeds into: Competitive Intel (03)")
    return [*blocks, Block("ul", items=lines)]


def build_report(con, month: dt.date, top: int = 5) -> list[Block]:
    texts = con.execute(
        f"select max(texts) from {SCHEMA}.fct_feedback_themes_monthly where month = ?", [month]
    ).fetchone()[0]
    if not texts:
        first, last = con.execute(
            f"select min(month), max(month) from {SCHEMA}.fct_feedback_themes_monthly"
        ).fetchone()
        span = f"{month_label(first)} to {month_label(last)}" if first else "none"
        raise ReportError(
            f"no feedback in the marts for {month_label(month)} (months with feedback: {span})"
        )
    blocks = [
        Block("h1", f"Customer Feedback Synthesis Report — {month.strftime('%B %Y')}"),
        Block(
            "p",
            f"{texts} feedback texts written in {month_label(month)} (every source). Every figure "
            "comes from the feedback marts; definitions: docs/definitions.md#feedback-report.",
        ),
        *_theme_blocks(con, month, top),
        *_outcome_blocks(con, month, "churn_or_contraction", "Churn-correlated signals"),
    ]
    blocks += _lead_blocks(con, "churn")
    blocks += _outcome_blocks(con, month, "expansion", "Expansion-correlated signals")
    blocks += _lead_blocks(con, "expansion")
    blocks += _competitor_blocks(con, month)
    return blocks


def to_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if block.kind == "h1":
            out.append(f"# {block.text}")
        elif block.kind == "h2":
            out.append(f"## {block.text}")
        elif block.kind == "p":
            out.append(block.text)
        elif block.kind == "ul":
            out.append("\n".join(f"- {item}" for item in block.items))
        elif block.kind == "ol":
            lines = []
            for number, (title, sub) in enumerate(block.items, start=1):
                lines.append(f"{number}. **{title}**")
                lines += [f"   - {line}" for line in sub]
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d2733; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccd; }
li { margin: 0.3rem 0; } ol > li > ul { margin-top: 0.2rem; }
"""


def to_html(blocks: list[Block]) -> str:
    title = next((b.text for b in blocks if b.kind == "h1"), "Customer Feedback Synthesis Report")
    body: list[str] = []
    for block in blocks:
        if block.kind in ("h1", "h2", "p"):
            body.append(f"<{block.kind}>{html.escape(block.text)}</{block.kind}>")
        elif block.kind == "ul":
            body.append(
                "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in block.items) + "</ul>"
            )
        elif block.kind == "ol":
            items = []
            for title_text, sub in block.items:
                inner = "".join(f"<li>{html.escape(line)}</li>" for line in sub)
                items.append(f"<li><strong>{html.escape(title_text)}</strong><ul>{inner}</ul></li>")
            body.append("<ol>" + "".join(items) + "</ol>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def write_report(
    duckdb_path: Path, month: dt.date | None = None, out_dir: Path = Path("reports"), top: int = 5
) -> tuple[Path, Path]:
    con = connect(duckdb_path)
    try:
        month = month or latest_complete_month(con)
        blocks = build_report(con, month, top)
    finally:
        con.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"feedback_synthesis_{month_label(month)}"
    markdown, page = stem.with_suffix(".md"), stem.with_suffix(".html")
    markdown.write_text(to_markdown(blocks), encoding="utf-8")
    page.write_text(to_html(blocks), encoding="utf-8")
    return markdown, page
