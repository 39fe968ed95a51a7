"""The board pack: one self-contained HTML file and its PDF, every number read from the marts.

``python -m nrr_engine.board_pack --duckdb-path W --out DIR [--as-of YYYY-MM]`` (or
``nrr-board-pack``, or ``make board-pack``) opens the warehouse W read-only and writes
``DIR/board_pack_<YYYY-MM>.html`` and ``.pdf``. The pack holds, in the recovery coach's order
(docs/definitions.md#board-pack): the diagnosis statement (what fell, where it is concentrated,
the root cause) from ``fct_nrr_diagnosis``; the ARR waterfall; the NRR, GRR and logo retention
trend; the cohort retention heatmap; the health distribution; churn timing; the renewals of the
next 90 days rated R/A/G; the key-metrics scorecard; the leading indicators with their targets;
and the 90-day recovery plan skeleton of the named cause. Charts are Altair specs rendered to
SVG by vl-convert (its bundled Vega, no network) and inlined; the PDF is the same HTML printed
by WeasyPrint. A mart the warehouse lacks (the diagnosis and scorecard marts are optional) is
named in its section as "not built in this warehouse"; nothing is computed in its place.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

PROJECT_SEEDS = Path(__file__).resolve().parents[3] / "seeds"
SEED_SCHEMA = "config"
NOT_BUILT = "not built in this warehouse"

# Marts the pack reads, by section. Each is found by name in whichever schema the build put
# it (information_schema), so a domain folder of its own for the diagnosis marts needs no change.
MARTS = {
    "waterfall": "fct_arr_waterfall",
    "retention": "fct_net_revenue_retention",
    "cohorts": "fct_cohort_retention",
    "health": "fct_account_health",
    "bands": "fct_health_band_performance",
    "renewals": "fct_renewal_risk",
    "accounts": "dim_accounts",
    "churn_timing": "fct_churn_timing",
    "interventions": "fct_intervention_outcomes",
    "activation": "fct_activation_funnel",
    "diagnosis": "fct_nrr_diagnosis",
    "scorecard": "fct_key_metrics_scorecard",
    "scorecard_quarterly": "fct_key_metrics_quarterly",
}
# Schemas that hold no marts (a model of the same name there is not read).
NOT_MART_SCHEMAS = {"raw", "staging", "intermediate", "audit", "config", "test_fixtures"}
RAG = {"red": "R", "amber": "A", "green": "G"}
RAG_COLOURS = {"red": "#c0392b", "amber": "#e67e22", "green": "#27ae60"}
BAND_COLOURS = {
    "churning": "#7f1d1d",
    "critical": "#c0392b",
    "at_risk": "#e67e22",
    "healthy": "#7fb77e",
    "thriving": "#27ae60",
    "insufficient_data": "#9e9e9e",
}
PLAYBOOK_BUCKETS = ["0-30", "31-90", "91-180", "180+"]
COHORT_AGES = [0, 3, 6, 9, 12, 15, 18, 21, 24]
COHORT_QUARTERS = 8
RENEWAL_HORIZON_DAYS = 90


class BoardPackError(Exception):
    """A warehouse or month the pack cannot be made from (reported without a traceback)."""


@dataclass
class Pack:
    """What the pack shows: the as-of month and its sections' HTML, in order."""

    as_of_month: dt.date
    snapshot_date: dt.date | None
    sections: list[tuple[str, str, str]] = field(default_factory=list)  # (id, title, html)
    missing: list[str] = field(default_factory=list)
    charts: int = 0


# ------------------------------------------------------------------------------------------
# Formatting
# ------------------------------------------------------------------------------------------


def money(value) -> str:
    """Whole US dollars, half up, with thousands separators: $1,234,567 (negative: -$1,234)."""
    if value is None:
        return "n/a"
    amount = Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,}"


def percent(share, places: int = 1) -> str:
    """A share as a percentage, half up: 0.9234 -> 92.3%."""
    if share is None:
        return "n/a"
    value = (Decimal(str(share)) * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{value}%"


def points(change) -> str:
    """A change of a share in percentage points, signed: +1.2 pts."""
    if change is None:
        return "n/a"
    value = (Decimal(str(change)) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{'+' if value > 0 else ''}{value} pts"


def month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def quarter_label(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def parse_month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as error:
        raise BoardPackError(f"--as-of must be YYYY-MM, got {text!r}") from error


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def figure(key: str, text: str) -> str:
    """A headline figure, tagged so that a reader (or a test) can find it."""
    return f'<strong class="figure" data-figure="{esc(key)}">{esc(text)}</strong>'


def table(headers: list[str], rows: list[list], classes: str = "") -> str:
    """An HTML table; cells are escaped unless given as ("html", markup)."""

    def cell(value):
        if isinstance(value, tuple) and value and value[0] == "html":
            return value[1]
        return esc(value)

    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="{classes}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


# ------------------------------------------------------------------------------------------
# Warehouse access
# ------------------------------------------------------------------------------------------


class Warehouse:
    """A read-only DuckDB connection with the questions the pack asks of it."""

    def __init__(self, duckdb_path: Path):
        if not Path(duckdb_path).is_file():
            raise BoardPackError(f"no warehouse at {duckdb_path}: run make build first")
        self.con = duckdb.connect(str(duckdb_path), read_only=True)
        rows = self.con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        self.tables = {(schema, name) for schema, name in rows}
        self.marts = {
            name: schema
            for schema, name in sorted(self.tables)
            if schema not in NOT_MART_SCHEMAS and name in MARTS.values()
        }

    def has(self, section: str) -> bool:
        return MARTS[section] in self.marts

    def name(self, section: str) -> str:
        table_name = MARTS[section]
        return f'"{self.marts[table_name]}"."{table_name}"'

    def dicts(self, sql: str, params: list | None = None) -> list[dict]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def seed(self, name: str) -> list[dict]:
        """A seed as built into the warehouse (schema config), else the project's CSV."""
        if (SEED_SCHEMA, name) in self.tables:
            return self.dicts(f'select * from "{SEED_SCHEMA}"."{name}"')
        path = PROJECT_SEEDS / f"{name}.csv"
        if not path.is_file():
            return []
        with path.open(newline="") as handle:
            return list(csv.DictReader(handle))

    def close(self) -> None:
        self.con.close()


# ------------------------------------------------------------------------------------------
# Charts
# ------------------------------------------------------------------------------------------

_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def svg(chart) -> str:
    """An Altair chart rendered to SVG by vl-convert, offline, ready to inline in HTML (the
    namespace declarations, which HTML does not need, dropped)."""
    import vl_convert as vlc

    markup = vlc.vegalite_to_svg(chart.to_json(), vl_version="6.4")
    markup = markup[markup.index("<svg") :]
    return f'<div class="chart">{_XMLNS.sub("", markup)}</div>'


def _alt():
    import altair as alt

    return alt


# ------------------------------------------------------------------------------------------
# Sections
# ------------------------------------------------------------------------------------------


def _missing(pack: Pack, wh: Warehouse, section: str) -> str:
    table_name = MARTS[section]
    pack.missing.append(table_name)
    return (
        f'<p class="missing" data-missing="{esc(table_name)}">{esc(table_name)}: {NOT_BUILT}.</p>'
    )


def _retention_rows(wh: Warehouse, as_of: dt.date, window: int) -> list[dict]:
    return wh.dicts(
        f"select as_of_month, nrr, grr, logo_retention, starting_arr, ending_arr, "
        f"cohort_customers from {wh.name('retention')} "
        "where window_months = ? and as_of_month <= ? order by as_of_month",
        [window, as_of],
    )


def section_diagnosis(pack: Pack, wh: Warehouse) -> None:
    as_of = pack.as_of_month
    parts = []
    if wh.has("retention"):
        ttm = {r["as_of_month"]: r for r in _retention_rows(wh, as_of, 12)}
        now, before = ttm.get(as_of), ttm.get(add_months(as_of, -12))
        if now:
            moved = (
                f"TTM GRR {percent(before['grr'])} → {figure('ttm_grr', percent(now['grr']))}, "
                f"TTM NRR {percent(before['nrr'])} → {figure('ttm_nrr', percent(now['nrr']))} "
                f"over the four quarters to {month_label(as_of)}."
                if before
                else f"TTM GRR {figure('ttm_grr', percent(now['grr']))}, TTM NRR "
                f"{figure('ttm_nrr', percent(now['nrr']))} at {month_label(as_of)}."
            )
            parts.append(f'<p class="what-moved"><b>What moved.</b> {moved}</p>')
    if not wh.has("diagnosis"):
        parts.append(_missing(pack, wh, "diagnosis"))
        parts.append(
            "<p>Without it the pack names no root cause: where the fall is concentrated and "
            "why is the diagnosis mart's to say.</p>"
        )
    else:
        # The diagnosis is made per complete quarter: the pack shows the latest one at or
        # before its month, and names that month.
        causes = wh.dicts(
            f"select * from {wh.name('diagnosis')} where as_of_month = "
            f"(select max(as_of_month) from {wh.name('diagnosis')} where as_of_month <= ?) "
            "order by cause_rank nulls last, cause_key",
            [as_of],
        )
        if not causes:
            parts.append(
                '<p class="missing">fct_nrr_diagnosis has no rows at or before '
                f"{month_label(as_of)}.</p>"
            )
        else:
            first = causes[0]
            parts.append(
                f'<p class="diagnosis-as-of">Diagnosis as of '
                f"{figure('diagnosis_as_of_month', first['as_of_month'].strftime('%Y-%m'))}, "
                "the latest complete quarter.</p>"
            )
            parts.append(
                f'<p class="statement" data-figure="diagnosis_statement">'
                f"{esc(first['diagnosis_statement'])}</p>"
            )
            if first.get("recovery_will_not_work"):
                blockers = [b for b in (first.get("recovery_blockers") or "").split("|") if b]
                parts.append(
                    '<p class="warning"><b>Recovery will not work on these signals:</b> '
                    f"{esc(', '.join(blockers))}. This is a strategic-direction conversation, "
                    "not a recovery sprint.</p>"
                )
            rows = [
                [
                    c["cause_rank"],
                    c["cause_label"],
                    c["cause_kind"].replace("_", " "),
                    c["status"].replace("_", " "),
                    f"{c['evidence_metric']}: {_num(c['evidence_value'])} "
                    f"(threshold {_num(c['threshold_value'])})",
                    c["accounts_behind"],
                    money(c["arr_behind"]),
                    " / ".join(
                        str(v) for v in (c["top_segment"], c["top_industry"], c["top_theme"]) if v
                    ),
                    c["example_quote"] or "",
                ]
                for c in causes
            ]
            parts.append(
                table(
                    [
                        "Rank",
                        "Cause",
                        "Kind",
                        "Status",
                        "Evidence",
                        "Accounts",
                        "ARR behind",
                        "Segment / industry / theme",
                        "Quote",
                    ],
                    rows,
                )  # fmt: skip
            )
    pack.sections.append(("diagnosis", "Diagnosis", "".join(parts)))


def _num(value) -> str:
    if value is None:
        return "n/a"
    return f"{Decimal(str(value)).quantize(Decimal('0.001'), ROUND_HALF_UP).normalize():f}"


def section_waterfall(pack: Pack, wh: Warehouse) -> None:
    if not wh.has("waterfall"):
        pack.sections.append(("waterfall", "ARR waterfall", _missing(pack, wh, "waterfall")))
        return
    as_of = pack.as_of_month
    start = add_months(as_of, -11)
    months = wh.dicts(
        f"select * from {wh.name('waterfall')} where period_grain = 'month' "
        "and period_start between ? and ? order by period_start",
        [start, as_of],
    )
    if not months or months[-1]["period_start"] != as_of:
        raise BoardPackError(f"fct_arr_waterfall has no month {month_label(as_of)}")
    starting = months[0]["starting_arr"]
    steps = [
        ("New", sum(m["new_arr"] for m in months)),
        ("Reactivation", sum(m["reactivation_arr"] for m in months)),
        ("Expansion", sum(m["expansion_arr"] for m in months)),
        ("Contraction", -sum(m["contraction_arr"] for m in months)),
        ("Churn", -sum(m["churned_arr"] for m in months)),
    ]
    ending = months[-1]["ending_arr"]
    data, level = [], float(starting)
    data.append({"step": f"Start {month_label(add_months(start, -1))}", "order": 0,
                 "low": 0.0, "high": level, "kind": "level"})  # fmt: skip
    for index, (label, amount) in enumerate(steps, start=1):
        nxt = level + float(amount)
        data.append({"step": label, "order": index, "low": min(level, nxt),
                     "high": max(level, nxt), "kind": "up" if amount >= 0 else "down"})  # fmt: skip
        level = nxt
    data.append({"step": f"End {month_label(as_of)}", "order": 6, "low": 0.0,
                 "high": float(ending), "kind": "level"})  # fmt: skip
    alt = _alt()
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            x=alt.X("step:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("low:Q", title="ARR (USD)"),
            y2="high:Q",
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(
                    domain=["level", "up", "down"], range=["#4a6fa5", "#27ae60", "#c0392b"]
                ),  # fmt: skip
                legend=None,
            ),
        )
        .properties(width=560, height=260, title="ARR waterfall, trailing 12 months")
    )
    rows = [["Starting ARR", money(starting)]]
    rows += [[label, money(amount)] for label, amount in steps]
    rows.append(["Ending ARR", ("html", figure("ending_arr", money(ending)))])
    quarters = wh.dicts(
        f"select * from {wh.name('waterfall')} where period_grain = 'quarter' "
        "and period_start <= ? order by period_start desc limit 4",
        [as_of],
    )[::-1]
    qrows = [
        [
            quarter_label(q["period_start"])
            + (
                ""
                if q["last_month"] == add_months(q["period_start"], 2)
                else f" (to {month_label(q['last_month'])})"
            ),  # fmt: skip
            money(q["starting_arr"]),
            percent(_share(q["expansion_arr"], q["starting_arr"])),
            percent(_share(q["contraction_arr"], q["starting_arr"])),
            percent(_share(q["churned_arr"], q["starting_arr"])),
            percent(_share(q["reactivation_arr"], q["starting_arr"])),
            money(q["ending_arr"]),
        ]
        for q in quarters
    ]
    body = (
        f"<p>Ending ARR at {month_label(as_of)}: {figure('ending_arr_headline', money(ending))}"
        f" across {esc(months[-1]['ending_customers'])} paying accounts.</p>"
        + svg(chart)
        + table(["Step", "ARR (USD)"], rows, "narrow")
        + "<h3>Components as a share of starting ARR, last four quarters</h3>"
        + table(
            [
                "Quarter",
                "Starting ARR",
                "Expansion",
                "Contraction",
                "Churn",
                "Reactivation",
                "Ending ARR",
            ],
            qrows,
        )  # fmt: skip
    )
    pack.charts += 1
    pack.sections.append(("waterfall", "ARR waterfall", body))


def _share(part, whole):
    return None if not whole else Decimal(str(part)) / Decimal(str(whole))


def section_retention(pack: Pack, wh: Warehouse) -> None:
    if not wh.has("retention"):
        pack.sections.append(("retention", "Retention trend", _missing(pack, wh, "retention")))
        return
    as_of = pack.as_of_month
    rows = [r for r in _retention_rows(wh, as_of, 12) if r["as_of_month"] > add_months(as_of, -24)]
    data = []
    for r in rows:
        for metric, key in (("NRR", "nrr"), ("GRR", "grr"), ("Logo retention", "logo_retention")):
            if r[key] is not None:
                data.append({"month": r["as_of_month"].isoformat(), "metric": metric,
                             "value": float(r[key])})  # fmt: skip
    alt = _alt()
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title="As-of month (TTM window ends)"),
            y=alt.Y(
                "value:Q",
                title="Trailing 12 months",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(zero=False),
            ),  # fmt: skip
            color=alt.Color("metric:N", title=None),
        )
        .properties(width=560, height=240, title="TTM NRR, GRR and logo retention")
    )
    recent = [r for r in rows if r["as_of_month"] in {add_months(as_of, -3 * k) for k in range(5)}]
    table_rows = [
        [
            month_label(r["as_of_month"]),
            percent(r["nrr"]),
            percent(r["grr"]),
            percent(r["logo_retention"]),
            r["cohort_customers"],
        ]  # fmt: skip
        for r in recent
    ]
    pack.charts += 1
    pack.sections.append((
        "retention", "NRR, GRR and logo retention",
        svg(chart) + table(["As of", "TTM NRR", "TTM GRR", "Logo retention", "Cohort accounts"],
                           table_rows, "narrow"),
    ))  # fmt: skip


def section_cohorts(pack: Pack, wh: Warehouse) -> None:
    if not wh.has("cohorts"):
        pack.sections.append(("cohorts", "Cohort retention", _missing(pack, wh, "cohorts")))
        return
    as_of = pack.as_of_month
    first = add_months(dt.date(as_of.year, (as_of.month - 1) // 3 * 3 + 1, 1), -3 * COHORT_QUARTERS)
    placeholders = ", ".join("?" for _ in COHORT_AGES)
    rows = wh.dicts(
        f"select cohort_start, months_since_start, logo_retention, revenue_retention, "
        f"cohort_customers from {wh.name('cohorts')} where cohort_grain = 'quarter' "
        f"and segment = 'all' and cohort_start >= ? and cohort_start <= ? "
        f"and months_since_start in ({placeholders}) "
        f"order by cohort_start, months_since_start",
        [first, as_of, *COHORT_AGES],
    )
    data = [
        {
            "cohort": quarter_label(r["cohort_start"]),
            "age": int(r["months_since_start"]),
            "nrr": float(r["revenue_retention"]) if r["revenue_retention"] is not None else None,
            "label": percent(r["revenue_retention"], 0),
        }  # fmt: skip
        for r in rows
        # only ages every account of the quarter's cohort has reached
        if add_months(r["cohort_start"], int(r["months_since_start"]) + 2) <= as_of
    ]
    alt = _alt()
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("age:O", title="Months since start", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("cohort:O", title="Start cohort (quarter)"),
    )
    chart = (
        base.mark_rect().encode(
            color=alt.Color(
                "nrr:Q", title="NRR", scale=alt.Scale(scheme="redyellowgreen", domain=[0.5, 1.3])
            )  # fmt: skip
        )
        + base.mark_text(fontSize=10).encode(text="label:N")
    ).properties(width=520, height=260, title="Cohort revenue retention (ARR at age / at start)")
    pack.charts += 1
    pack.sections.append(("cohorts", "Cohort retention heatmap", svg(chart)))


def _snapshot(wh: Warehouse, as_of: dt.date) -> dt.date | None:
    if not wh.has("health"):
        return None
    row = wh.dicts(
        f"select max(snapshot_date) as d from {wh.name('health')} where snapshot_date <= ?",
        [month_end(as_of)],
    )
    return row[0]["d"] if row else None


def section_health(pack: Pack, wh: Warehouse) -> None:
    if not wh.has("health") or pack.snapshot_date is None:
        pack.sections.append(("health", "Health distribution", _missing(pack, wh, "health")))
        return
    orders = {}
    if wh.has("bands"):
        orders = {
            r["band"]: r["band_order"]
            for r in wh.dicts(f"select band, band_order from {wh.name('bands')}")
        }
    rows = wh.dicts(
        f"select band, count(*) as accounts, sum(arr) as arr from {wh.name('health')} "
        "where snapshot_date = ? and arr > 0 group by band",
        [pack.snapshot_date],
    )
    rows.sort(key=lambda r: (orders.get(r["band"]) is None, orders.get(r["band"]) or 0))
    total = sum(r["accounts"] for r in rows)
    data = [
        {"band": r["band"], "accounts": int(r["accounts"]), "order": i} for i, r in enumerate(rows)
    ]
    alt = _alt()
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            x=alt.X(
                "band:N",
                sort=alt.SortField("order"),
                title="Health band",
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("accounts:Q", title="Paying accounts"),
            color=alt.Color(
                "band:N",
                legend=None,
                scale=alt.Scale(domain=list(BAND_COLOURS), range=list(BAND_COLOURS.values())),
            ),  # fmt: skip
        )
        .properties(
            width=420, height=220, title=f"Health bands at {pack.snapshot_date.isoformat()}"
        )  # fmt: skip
    )
    table_rows = [
        [r["band"], r["accounts"], percent(_share(r["accounts"], total)), money(r["arr"])]
        for r in rows
    ]
    pack.charts += 1
    pack.sections.append((
        "health", "Health distribution",
        svg(chart) + table(["Band", "Accounts", "Share", "ARR"], table_rows, "narrow"),
    ))  # fmt: skip


def section_churn_timing(pack: Pack, wh: Warehouse) -> None:
    if not wh.has("churn_timing"):
        pack.sections.append(("churn-timing", "Churn timing", _missing(pack, wh, "churn_timing")))
        return
    rows = wh.dicts(
        f"select timing_value, churn_events, share_of_churn, status from "
        f"{wh.name('churn_timing')} where dimension_name = 'all' "
        "and timing_grain = 'playbook_bucket'"
    )
    rows.sort(key=lambda r: PLAYBOOK_BUCKETS.index(r["timing_value"])
              if r["timing_value"] in PLAYBOOK_BUCKETS else 99)  # fmt: skip
    data = [
        {"bucket": r["timing_value"], "share": float(r["share_of_churn"] or 0), "order": i}
        for i, r in enumerate(rows)
    ]
    alt = _alt()
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(color="#4a6fa5")
        .encode(
            x=alt.X(
                "bucket:N",
                sort=alt.SortField("order"),
                title="Days since first revenue",
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("share:Q", title="Share of churn events", axis=alt.Axis(format="%")),
        )
        .properties(width=420, height=220, title="When churn happens (all churn to date)")
    )
    table_rows = [
        [r["timing_value"], r["churn_events"], percent(r["share_of_churn"]), r["status"]]
        for r in rows
    ]
    pack.charts += 1
    pack.sections.append((
        "churn-timing", "Churn timing",
        svg(chart) + table(["Days since first revenue", "Churn events", "Share", "Status"],
                           table_rows, "narrow"),
    ))  # fmt: skip


def section_renewals(pack: Pack, wh: Warehouse) -> None:
    if not wh.has("renewals") or pack.snapshot_date is None:
        pack.sections.append(("renewals", "Renewals", _missing(pack, wh, "renewals")))
        return
    day = pack.snapshot_date
    names = ""
    if wh.has("accounts"):
        names = f"left join {wh.name('accounts')} a on a.account_id = r.account_id"
    rows = wh.dicts(
        f"""
        with latest as (
            select account_id, renewal_date, max(checkpoint_date) as checkpoint_date
            from {wh.name("renewals")}
            where renewal_date > ? and renewal_date <= ? and checkpoint_date <= ?
            group by account_id, renewal_date
        )
        select r.account_id, {"a.account_name, a.segment," if names else ""}
            r.renewal_date, r.days_out, r.renewing_arr, r.risk_rating, r.red_flags,
            r.has_low_usage, r.has_no_active_champion, r.has_payment_trouble,
            r.has_competitor_signals, r.has_no_executive_touch
        from {wh.name("renewals")} r
        inner join latest l on l.account_id = r.account_id
            and l.renewal_date = r.renewal_date and l.checkpoint_date = r.checkpoint_date
        {names}
        order by case r.risk_rating when 'red' then 1 when 'amber' then 2 else 3 end,
            r.renewing_arr desc, r.account_id
        """,
        [day, day + dt.timedelta(days=RENEWAL_HORIZON_DAYS), day],
    )
    counts = {k: [0, Decimal(0)] for k in RAG}
    for r in rows:
        counts[r["risk_rating"]][0] += 1
        counts[r["risk_rating"]][1] += Decimal(str(r["renewing_arr"]))
    summary = ", ".join(
        f"{figure(f'renewals_{k}', str(counts[k][0]))} {k} ({money(counts[k][1])})" for k in RAG
    )
    flags = [
        ("has_low_usage", "low usage"), ("has_no_active_champion", "no active champion"),
        ("has_payment_trouble", "payment trouble"), ("has_competitor_signals", "competitor"),
        ("has_no_executive_touch", "no executive touch"),
    ]  # fmt: skip
    table_rows = [
        [
            (
                "html",
                f'<span class="rag" style="background:{RAG_COLOURS[r["risk_rating"]]}">'
                f"{RAG[r['risk_rating']]}</span>",
            ),  # fmt: skip
            r.get("account_name") or r["account_id"],
            r.get("segment") or "",
            r["renewal_date"].isoformat(),
            money(r["renewing_arr"]),
            ", ".join(label for key, label in flags if r[key]) or "none",
        ]
        for r in rows
        if r["risk_rating"] != "green"
    ]
    body = (
        f"<p>Renewals from {day.isoformat()} to "
        f"{(day + dt.timedelta(days=RENEWAL_HORIZON_DAYS)).isoformat()}, rated at their latest "
        f"checkpoint: {summary}. Red and amber listed; every red account gets an executive "
        "sponsor.</p>"
        + table(
            ["R/A/G", "Account", "Segment", "Renews", "Renewing ARR", "Red flags"], table_rows
        )  # fmt: skip
    )
    pack.sections.append(("renewals", "At-risk renewals, next 90 days", body))


def _metric_value(value, unit: str | None) -> str:
    if value is None:
        return "n/a"
    unit = (unit or "").lower()
    if unit in ("share", "ratio", "percent", "pct", "rate"):
        return percent(value)
    if unit in ("usd", "money", "dollars"):
        return money(value)
    return f"{_num(value)} {unit}".strip()


def section_scorecard(pack: Pack, wh: Warehouse) -> None:
    if not wh.has("scorecard"):
        pack.sections.append(
            ("scorecard", "Key metrics scorecard", _missing(pack, wh, "scorecard"))
        )
        return
    as_of = pack.as_of_month
    rows = wh.dicts(
        f"select * from {wh.name('scorecard')} where as_of_month = "
        f"(select max(as_of_month) from {wh.name('scorecard')} where as_of_month <= ?) "
        "order by metric_key",
        [as_of],
    )
    if not rows:
        pack.sections.append((
            "scorecard", "Key metrics scorecard",
            '<p class="missing">fct_key_metrics_scorecard has no rows at or before '
            f"{month_label(as_of)}.</p>",
        ))  # fmt: skip
        return
    rule = {"at_least": "≥", "at_most": "≤"}
    table_rows = [
        [
            r["metric_label"],
            ("html", figure(f"scorecard_{r['metric_key']}", _metric_value(r["value"], r["unit"]))),
            f"{rule.get(r['target_rule'], r['target_rule'])} "
            f"{_metric_value(r['target_value'], r['unit'])}",
            {True: "met", False: "not met"}.get(r["is_met"], "not measurable"),
            r["trend_direction"].replace("_", " "),
            _metric_value(r["value_four_quarters_ago"], r["unit"]),
            r["value_note"] or "",
        ]
        for r in rows
    ]
    body = table(["Metric", "Value", "Target", "Met", "Trend (4 quarters)", "4 quarters ago",
                  "Note"], table_rows)  # fmt: skip
    if wh.has("scorecard_quarterly"):
        quarterly = wh.dicts(
            f"select metric_key, quarter_start, value from {wh.name('scorecard_quarterly')} "
            "where quarter_start <= ? and quarter_start > ? order by metric_key, quarter_start",
            [as_of, add_months(as_of, -15)],
        )
        labels = {r["metric_key"]: r["metric_label"] for r in rows}
        units = {r["metric_key"]: (r["unit"] or "").lower() for r in rows}
        data = [
            {
                "metric": labels.get(q["metric_key"], q["metric_key"]),
                "quarter": q["quarter_start"].isoformat(),
                "value": float(q["value"]),
            }  # fmt: skip
            for q in quarterly
            if q["value"] is not None and units.get(q["metric_key"]) in ("share", "ratio", "rate")
        ]
        if data:
            alt = _alt()
            chart = (
                alt.Chart(alt.Data(values=data))
                .mark_line(point=True)
                .encode(
                    x=alt.X("quarter:T", title="Quarter"),
                    y=alt.Y("value:Q", title=None, axis=alt.Axis(format="%")),
                    color=alt.Color("metric:N", title=None),
                )
                .properties(width=520, height=220, title="Share metrics by quarter")
            )
            body += svg(chart)
            pack.charts += 1
    pack.sections.append(("scorecard", "Key metrics scorecard", body))


def _leading_values(wh: Warehouse, as_of: dt.date) -> dict[str, tuple[float | None, str]]:
    """Each leading indicator's value and what it rests on (docs/definitions.md#board-pack)."""
    values: dict[str, tuple[float | None, str]] = {}
    if wh.has("interventions"):
        row = wh.dicts(
            f"select treated_save_rate, treated_episodes, status from "
            f"{wh.name('interventions')} where risk_level = 'overall'"
        )
        if row:
            r = row[0]
            values["save_rate"] = (
                None if r["treated_save_rate"] is None else float(r["treated_save_rate"]),
                f"fct_intervention_outcomes overall: {r['treated_episodes']} settled treated "
                f"episodes ({r['status']})",
            )
    if wh.has("activation"):
        rows = wh.dicts(
            f"""select signup_month, max(ttfv_median_hours) as ttfv from {wh.name("activation")}
            where path = 'all' and signup_month <= ? and accounts > 0
            group by signup_month order by signup_month desc limit 3""",
            [as_of],
        )
        if len(rows) == 3 and rows[0]["ttfv"] is not None and rows[2]["ttfv"]:
            values["time_to_first_value_change"] = (
                rows[0]["ttfv"] / rows[2]["ttfv"] - 1,
                f"fct_activation_funnel median hours {_num(rows[2]['ttfv'])} "
                f"({month_label(rows[2]['signup_month'])}) → {_num(rows[0]['ttfv'])} "
                f"({month_label(rows[0]['signup_month'])})",
            )
    if wh.has("cohorts"):
        rows = wh.dicts(
            f"""select cohort_start, logo_retention from {wh.name("cohorts")}
            where cohort_grain = 'quarter' and segment = 'all' and months_since_start = 6
            and cohort_start <= ? order by cohort_start desc limit 2""",
            [add_months(as_of, -8)],  # the whole quarter's cohort has reached month 6
        )
        if len(rows) == 2:
            values["cohort_logo_retention_month_6_change"] = (
                float(rows[0]["logo_retention"] - rows[1]["logo_retention"]),
                f"fct_cohort_retention month 6: {quarter_label(rows[1]['cohort_start'])} "
                f"{percent(rows[1]['logo_retention'])} → "
                f"{quarter_label(rows[0]['cohort_start'])} {percent(rows[0]['logo_retention'])}",
            )
    if wh.has("retention"):
        rows = [r for r in _retention_rows(wh, as_of, 3) if r["grr"] is not None]
        by_month = {r["as_of_month"]: r for r in rows}
        now, before = by_month.get(as_of), by_month.get(add_months(as_of, -3))
        if now and before:
            values["grr_quarterly_change"] = (
                float(now["grr"] - before["grr"]),
                f"fct_net_revenue_retention 3-month GRR {percent(before['grr'])} → "
                f"{percent(now['grr'])}",
            )
    return values


def section_leading(pack: Pack, wh: Warehouse) -> None:
    indicators = sorted(wh.seed("board_pack_leading_indicators"),
                        key=lambda r: int(r["indicator_order"]))  # fmt: skip
    values = _leading_values(wh, pack.as_of_month)
    rows = []
    for ind in indicators:
        key = ind["indicator_key"]
        target = float(ind["target_value"])
        value, basis = values.get(key, (None, "not measured in this warehouse"))
        if value is None:
            shown, met = "n/a", "not measurable"
        else:
            is_change = key.endswith("_change")
            shown = (
                points(value) if key.endswith("retention_month_6_change") or key.startswith("grr")
                else percent(value) if key in ("save_rate",) or is_change
                else f"{_num(value)}x"
            )  # fmt: skip
            ok = value >= target if ind["target_rule"] == "at_least" else value <= target
            met = "met" if ok else "not met"
        rows.append([ind["label"], ("html", figure(f"leading_{key}", shown)),
                     ind["target_text"], met, basis])  # fmt: skip
    body = (
        "<p>What moves first if the plan works; NRR and GRR follow 2-3 quarters after the "
        "fixes go in.</p>" + table(["Indicator", "Now", "Target", "Met", "Measured from"], rows)
    )
    pack.sections.append(("leading-indicators", "Leading indicators", body))


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", (text or "").lower()).strip("_")


def section_plan(pack: Pack, wh: Warehouse) -> None:
    steps = wh.seed("board_pack_recovery_plans")
    named: list[dict] = []
    if wh.has("diagnosis"):
        named = wh.dicts(
            f"select cause_key, cause_label, is_dominant, recovery_will_not_work from "
            f"{wh.name('diagnosis')} where as_of_month = ? and (is_dominant or is_close_second) "
            "order by cause_rank",
            [pack.as_of_month],
        )
    parts = []
    if not wh.has("diagnosis"):
        parts.append(
            '<p class="missing">No named cause: fct_nrr_diagnosis is '
            f"{NOT_BUILT}. The steps every plan shares:</p>"
        )
    elif not named:
        parts.append(
            "<p>The diagnosis names no dominant cause this month. The steps every plan shares:</p>"
        )
    elif named[0]["recovery_will_not_work"]:
        parts.append(
            '<p class="warning">The diagnosis says recovery will not work: escalate to a '
            "strategic-direction conversation (relaunch, repositioning, sale). The triage steps "
            "below still apply.</p>"
        )
    keys = ["all"]
    for cause in named:
        known = {s["cause_key"] for s in steps}
        key = cause["cause_key"] if cause["cause_key"] in known else _key(cause["cause_label"])
        if key not in known:
            parts.append(
                f'<p class="missing">No plan steps for cause {esc(cause["cause_key"])} in seed '
                "board_pack_recovery_plans.</p>"
            )
        keys.append(key)
        parts.append(f"<p>Named cause: <b>{esc(cause['cause_label'])}</b>.</p>")
    order = {"1-2": 1, "3-4": 2, "5-8": 3, "9-12": 4}
    chosen = sorted(
        (s for s in steps if s["cause_key"] in keys),
        key=lambda s: (order.get(s["weeks"], 9), int(s["step_order"])),
    )
    rows = [[f"Week {s['weeks']}", s["action"], s["owner_role"], s["measurable_outcome"]]
            for s in chosen]  # fmt: skip
    parts.append(table(["When", "Action", "Owner", "Measurable outcome"], rows))
    pack.sections.append(("recovery-plan", "90-day recovery plan", "".join(parts)))


# ------------------------------------------------------------------------------------------
# Assembly
# ------------------------------------------------------------------------------------------

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #222; margin: 2em; font-size: 11pt; }
h1 { font-size: 20pt; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc;
  page-break-before: auto; margin-top: 1.4em; } h3 { font-size: 11pt; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 9pt; width: 100%; }
table.narrow { width: auto; } th, td { border: 1px solid #ddd; padding: 3px 6px;
  text-align: left; vertical-align: top; } th { background: #f3f3f3; }
.statement { font-size: 13pt; background: #f6f8fb; border-left: 4px solid #4a6fa5;
  padding: 0.6em; } .warning { background: #fdecea; border-left: 4px solid #c0392b;
  padding: 0.6em; } .missing { color: #8a5a00; font-style: italic; }
.rag { color: #fff; font-weight: bold; padding: 0 6px; border-radius: 3px; }
.chart svg { max-width: 100%; height: auto; } section { page-break-inside: avoid; }
.meta { color: #555; }
"""


def build_pack(wh: Warehouse, as_of: dt.date | None = None) -> Pack:
    if not wh.has("waterfall") or not wh.has("retention"):
        raise BoardPackError(
            "the warehouse lacks revenue.fct_arr_waterfall or revenue.fct_net_revenue_retention:"
            " run make build first"
        )
    latest = wh.dicts(
        f"select max(as_of_month) as m from {wh.name('retention')} where window_months = 12"
    )[0]["m"]
    if latest is None:
        raise BoardPackError("fct_net_revenue_retention has no TTM month: too little history")
    if as_of is None:
        as_of = latest
    elif as_of > latest:
        raise BoardPackError(
            f"--as-of {month_label(as_of)} is after the latest TTM month {month_label(latest)}"
        )
    pack = Pack(as_of_month=as_of, snapshot_date=_snapshot(wh, as_of))
    for section in (section_diagnosis, section_waterfall, section_retention, section_cohorts,
                    section_health, section_churn_timing, section_renewals, section_scorecard,
                    section_leading, section_plan):  # fmt: skip
        section(pack, wh)
    return pack


def render_html(pack: Pack) -> str:
    label = month_label(pack.as_of_month)
    toc = "".join(f'<li><a href="#{sid}">{esc(title)}</a></li>' for sid, title, _ in pack.sections)
    body = "".join(
        f'<section id="{sid}"><h2>{esc(title)}</h2>{content}</section>'
        for sid, title, content in pack.sections
    )
    snapshot = pack.snapshot_date.isoformat() if pack.snapshot_date else "n/a"
    missing = (
        f'<p class="missing">Marts {NOT_BUILT}: {esc(", ".join(pack.missing))}.</p>'
        if pack.missing
        else ""
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>Board pack {label}</title>'
        f"<style>{CSS}</style></head><body>"
        f"<h1>Net revenue retention: board pack</h1>"
        f'<p class="meta">As of <span data-figure="as_of_month">{label}</span> (health and '
        f"renewals at the snapshot of {snapshot}). Every number is read from the marts of the "
        "built warehouse; the definitions are in docs/definitions.md (section board-pack and "
        "the sections it links).</p>"
        f'{missing}<ol class="toc">{toc}</ol>{body}</body></html>\n'
    )


def write_pack(duckdb_path: Path, out_dir: Path, as_of: dt.date | None = None) -> dict:
    """Write board_pack_<YYYY-MM>.html and .pdf into out_dir; return their paths and counts."""
    wh = Warehouse(duckdb_path)
    try:
        pack = build_pack(wh, as_of)
    finally:
        wh.close()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"board_pack_{month_label(pack.as_of_month)}"
    html_path, pdf_path = stem.with_suffix(".html"), stem.with_suffix(".pdf")
    markup = render_html(pack)
    html_path.write_text(markup, encoding="utf-8")
    from weasyprint import HTML

    HTML(string=markup, base_url=str(out_dir)).write_pdf(pdf_path)
    return {"html": html_path, "pdf": pdf_path, "as_of_month": pack.as_of_month,
            "charts": pack.charts, "missing": pack.missing}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="nrr-board-pack", description=__doc__.split("\n")[0])
    parser.add_argument("--duckdb-path", required=True, type=Path)
    parser.add_argument("--out", default=Path("reports"), type=Path)
    parser.add_argument("--as-of", help="YYYY-MM (default: the latest TTM month of the marts)")
    args = parser.parse_args(argv)
    try:
        result = write_pack(args.duckdb_path, args.out,
                            parse_month(args.as_of) if args.as_of else None)  # fmt: skip
    except (BoardPackError, duckdb.Error) as error:
        print(f"board pack: {error}", file=sys.stderr)
        return 2
    print(f"wrote {result['html']} and {result['pdf']} ({result['charts']} charts)")
    for name in result["missing"]:
        print(f"  {name}: {NOT_BUILT}")
    return 0
