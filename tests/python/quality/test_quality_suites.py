"""The quality suites without dbt: raw checks are generated from the contract and run in DuckDB
(their findings match a plain-Python reading of the files, and no table is fetched into Python),
mart suites catch broken marts, volume bounds, and a failing build or mart validation publishes
nothing (dbt is replaced by a stub here; test_quality_scheduled_run.py runs the real one)."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import shutil
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from conftest import REPO, TINY_BOOK
from nrr_engine.generate import TABLES
from nrr_engine.quality import run_log
from nrr_engine.quality.contract import CONTRACT_FILE, load_raw_contract
from nrr_engine.quality.mart_suites import MART_SPECS, validate_marts
from nrr_engine.quality.raw_suites import (
    RejectedShareLimits,
    latest_activity_date,
    validate_raw,
    volume_bounds,
)
from nrr_engine.quality.scheduled_run import RunConfig, run
from nrr_engine.quality.validation import EXAMPLES_SHOWN, GxSession

NEVER_STALE = {"warn": 10**6, "error": 10**6}
QUIET_FRESHNESS = {"freshness_hours": dict.fromkeys(("usage_events", "invoices"), NEVER_STALE)}

WATERFALL_COLUMNS = (
    "period_grain, period_start, starting_arr, new_arr, reactivation_arr, expansion_arr, "
    "contraction_arr, churned_arr, ending_arr, starting_customers, new_customers, "
    "reactivated_customers, churned_customers, ending_customers"
)
GOOD_WATERFALL = [
    "('month', date '2024-01-01', 0, 100, 0, 0, 0, 0, 100, 0, 1, 0, 0, 1)",
    "('month', date '2024-02-01', 100, 0, 0, 50, 0, 0, 150, 1, 0, 0, 0, 1)",
    "('month', date '2024-03-01', 150, 0, 0, 0, 0, 150, 0, 1, 0, 0, 1, 0)",
    "('quarter', date '2024-01-01', 0, 100, 0, 50, 0, 150, 0, 0, 1, 0, 1, 0)",
]
BAD_WATERFALL = [
    "('month', date '2024-01-01', 0, 100, 0, 0, 0, 0, 100, 0, 1, 0, 0, 1)",
    # 100 + 50 = 150, not 151: the identity breaks
    "('month', date '2024-02-01', 100, 0, 0, 50, 0, 0, 151, 1, 0, 0, 0, 1)",
    # March is missing
    "('month', date '2024-04-01', 151, 0, 0, 0, 0, 151, 0, 1, 0, 0, 1, 0)",
]


def marts_sql(waterfall, retention, health_scores) -> str:
    """A minimal warehouse with the mart columns the suites read."""
    health = ""
    if health_scores is not None:
        rows = ", ".join(f"('A{i}', {score})" for i, score in enumerate(health_scores))
        health = (
            "create schema if not exists health;"
            "create or replace table health.fct_account_health as "
            f"select * from (values {rows}) as t(account_id, composite_score);"
        )
    return f"""
        create schema if not exists revenue;
        create or replace table revenue.fct_arr_waterfall as
            select * from (values {", ".join(waterfall)}) as t({WATERFALL_COLUMNS});
        create or replace table revenue.fct_net_revenue_retention as
            select * from (values {", ".join(retention)})
            as t(as_of_month, window_months, nrr, grr, logo_retention);
        create or replace table revenue.fct_account_arr_monthly as
            select * from (values ('A1', date '2024-01-01', 100.0),
                                  ('A1', date '2024-02-01', 150.0))
            as t(account_id, month, arr);
        create or replace table revenue.dim_accounts as
            select * from (values ('A1'), ('A2')) as t(account_id);
        create or replace table revenue.fct_cohort_retention as
            select * from (values (1.0, 1.0), (0.5, 0.8)) as t(logo_retention, grr);
        {health}
    """


GOOD_RETENTION = [
    "(date '2024-03-01', 3, 1.5, 0.9, 1.0)",
    "(date '2024-02-01', 1, null, null, null)",
]
BAD_RETENTION = ["(date '2024-03-01', 3, 3.5, 0.9, 1.0)", "(date '2024-04-01', 3, 0.8, 0.9, 1.0)"]
GOOD_MARTS = marts_sql(GOOD_WATERFALL, GOOD_RETENTION, [10, 55.5, 100])
BAD_MARTS = marts_sql(BAD_WATERFALL, BAD_RETENTION, [10, 120])


@pytest.fixture(scope="module")
def session() -> GxSession:
    return GxSession(None)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_warehouse(path: Path, sql: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(sql)
    return path


def test_the_contract_is_read_from_the_source_yaml():
    contracts = {c.name: c for c in load_raw_contract(REPO)}
    assert set(contracts) == set(TABLES)
    line_items = contracts["subscription_line_items"]
    assert line_items.primary_key == ("line_item_id",)
    assert line_items.references_accounts == "account_id"
    assert [(o.earlier, o.later, o.strict) for o in line_items.date_order] == [
        ("start_date", "end_date", True)
    ]
    assert (line_items.column("discount_pct").min, line_items.column("discount_pct").max) == (0, 1)
    assert line_items.column("end_date").nullable
    assert contracts["fx_rates"].column("rate_to_usd").exclusive_min == 0
    assert contracts["support_tickets"].column("csat_score").max == 5
    assert contracts["accounts"].column("segment").values == (
        "smb",
        "mid_market",
        "enterprise",
        "unknown",
    )
    assert contracts["accounts"].required_columns == ("account_id", "created_at")


def test_raw_checks_are_generated_from_every_contract_rule():
    contracts = load_raw_contract(REPO)
    result = validate_raw(TINY_BOOK, contracts, None, 2.0)
    assert result.failures == []
    checks = {f"raw.{name}": table.checks for name, table in result.tables.items()}
    rules = {name: {(c.column, c.rule) for c in table} for name, table in checks.items()}
    required = {
        name: [c.column for c in table if c.rule == "required_column"]
        for name, table in checks.items()
    }
    assert set(rules) == {f"raw.{c.name}" for c in contracts}
    for contract in contracts:
        table = rules[f"raw.{contract.name}"]
        # a nullable or defaulted column may be absent (definitions#required-and-optional-input)
        assert required[f"raw.{contract.name}"] == [
            c.name for c in contract.columns if not c.nullable and not c.has_default
        ]
        for column in contract.columns:
            has_range = any(v is not None for v in (column.min, column.max, column.exclusive_min))
            assert ((column.name, "not_null") in table) is not column.nullable
            assert ((column.name, "castable") in table) is (column.type != "string")
            assert ((column.name, "accepted_values") in table) is bool(column.values)
            assert ((column.name, "range") in table) is has_range
        key = ", ".join(contract.primary_key)
        assert ((key, "unique_key") in table) is bool(contract.primary_key)
        account = contract.references_accounts
        assert ((account, "references_accounts") in table) is bool(account)
        for order in contract.date_order:
            assert (order.later, "date_order") in table
        currency = contract.fx_currency
        assert ((currency, "fx_rate_exists") in table) is bool(currency)


def test_a_rule_added_to_the_contract_reaches_the_checks(tmp_path):
    """No hand-listed columns: a new contract column is checked as soon as it is declared."""
    document = yaml.safe_load((REPO / CONTRACT_FILE).read_text())
    accounts = next(t for t in document["sources"][0]["tables"] if t["name"] == "accounts")
    accounts["columns"].append(
        {"name": "tier_label", "config": {"meta": {"contract": {"values": ["gold", "silver"]}}}}
    )
    (tmp_path / CONTRACT_FILE).parent.mkdir(parents=True)
    (tmp_path / CONTRACT_FILE).write_text(yaml.safe_dump(document))
    contracts = load_raw_contract(tmp_path)
    result = validate_raw(TINY_BOOK, contracts, None, 2.0)
    checks = {(c.column, c.rule) for c in result.tables["accounts"].checks}
    assert ("tier_label", "required_column") in checks
    assert ("tier_label", "accepted_values") not in checks
    assert [(f.table, f.column, f.rule) for f in result.failures] == [
        ("raw.accounts", "tier_label", "required_column")
    ]


def test_default_as_of_date_is_the_latest_billing_or_usage_date():
    activity = validate_raw(TINY_BOOK, load_raw_contract(REPO), None, 2.0).activity
    assert latest_activity_date(activity, date(2030, 1, 1)) == date(2025, 3, 31)
    assert latest_activity_date(activity, date(2025, 1, 1)) == date(2025, 1, 1)


@pytest.mark.parametrize(
    ("previous", "factor", "allowed", "refused"),
    [
        (51, 2, [26, 51, 102], [25, 103, 5]),  # a 90% shrink is refused
        (50, 10, [5, 500], [4, 501]),  # exactly the factor is allowed
        (3, 2, [0, 10], [11]),  # small tables may shrink to nothing and grow to 10 rows
        (0, 2, [0, 10], [11]),
    ],
)
def test_volume_bounds(previous, factor, allowed, refused):
    low, high = volume_bounds(previous, factor)
    assert all(low <= n <= high for n in allowed)
    assert not any(low <= n <= high for n in refused)


def test_mart_suites_pass_on_sound_marts(tmp_path, session):
    warehouse = make_warehouse(tmp_path / "good.duckdb", GOOD_MARTS)
    result = validate_marts(warehouse, None, 2.0, session)
    assert [f.message() for f in result.failures] == []
    assert result.row_counts["revenue.fct_arr_waterfall"] == 4
    assert result.row_counts["health.fct_account_health"] == 3


def test_mart_suites_catch_bounds_identities_gaps_and_health_scores(tmp_path, session):
    warehouse = make_warehouse(tmp_path / "bad.duckdb", BAD_MARTS)
    result = validate_marts(warehouse, None, 2.0, session)
    found = {(f.table, f.column, f.rule) for f in result.failures}
    assert found == {
        ("revenue.fct_arr_waterfall", "ending_arr", "waterfall_identity"),
        ("revenue.fct_arr_waterfall", "period_start", "consecutive_months"),
        ("revenue.fct_net_revenue_retention", "nrr", "nrr_bounds"),
        ("revenue.fct_net_revenue_retention", "grr", "grr_not_above_nrr"),
        ("health.fct_account_health", "composite_score", "health_score_bounds"),
    }, [f.message() for f in result.failures]


def test_missing_health_mart_is_skipped_with_a_note_but_a_revenue_mart_is_required(
    tmp_path, session
):
    sql = marts_sql(GOOD_WATERFALL, GOOD_RETENTION, None)
    sql += "drop table revenue.dim_accounts;"
    warehouse = make_warehouse(tmp_path / "partial.duckdb", sql)
    result = validate_marts(warehouse, None, 2.0, session)
    assert [(f.table, f.rule) for f in result.failures] == [
        ("revenue.dim_accounts", "relation_exists")
    ]
    assert result.notes == [
        "skipped the suite of health.fct_account_health: the relation does not exist"
    ]
    assert {s.name for s in MART_SPECS if not s.required} == {"health.fct_account_health"}


def test_mart_row_counts_are_checked_against_the_previous_run(tmp_path, session):
    warehouse = make_warehouse(tmp_path / "good.duckdb", GOOD_MARTS)
    previous = {"revenue.fct_arr_waterfall": 40, "revenue.dim_accounts": 2}
    result = validate_marts(warehouse, previous, 2.0, session)
    assert [(f.table, f.rule) for f in result.failures] == [("revenue.fct_arr_waterfall", "volume")]


# -- failures after the raw stage, with a stub in place of dbt --------------------------------

FAKE_DBT = """#!{python}
import json, os, pathlib, sys
import duckdb
args = sys.argv[1:]
target = pathlib.Path(args[args.index("--target-path") + 1])
target.mkdir(parents=True, exist_ok=True)
if args[0] == "source":
    (target / "sources.json").write_text(json.dumps({{"results": []}}))
    sys.exit(0)
with duckdb.connect(os.environ["NRR_DUCKDB_PATH"]) as con:
    con.execute(pathlib.Path(os.environ["FAKE_DBT_SQL"]).read_text())
if os.environ.get("FAKE_DBT_FAIL"):
    result = {{"unique_id": "model.nrr_engine.fct_arr_waterfall", "status": "error",
              "message": "Runtime Error in model fct_arr_waterfall\\n  boom"}}
    (target / "run_results.json").write_text(json.dumps({{"results": [result]}}))
    sys.exit(1)
"""


@pytest.fixture
def stub_run(tmp_path, monkeypatch):
    """A scheduled run on the tiny book with a stub dbt that writes the given SQL."""
    dbt = tmp_path / "fake_dbt"
    dbt.write_text(FAKE_DBT.format(python=sys.executable))
    dbt.chmod(0o755)
    warehouse = make_warehouse(tmp_path / "wh" / "nrr.duckdb", "create table kept as select 1 as x")

    def go(sql: str, fail: bool = False):
        (tmp_path / "build.sql").write_text(sql)
        monkeypatch.setenv("FAKE_DBT_SQL", str(tmp_path / "build.sql"))
        if fail:
            monkeypatch.setenv("FAKE_DBT_FAIL", "1")
        config = RunConfig(
            project_dir=REPO,
            raw_path=TINY_BOOK,
            warehouse=warehouse,
            run_log=tmp_path / "wh" / "run_log.duckdb",
            output_dir=tmp_path / "out",
            dbt_vars=QUIET_FRESHNESS,
            dbt=str(dbt),
        )
        return config, run(config)

    return warehouse, go


def test_a_failed_build_publishes_nothing(stub_run):
    warehouse, go = stub_run
    before = sha256(warehouse)
    config, result = go(GOOD_MARTS, fail=True)
    assert (result.outcome, result.exit_code) == ("failed_build", 1)
    assert "model.nrr_engine.fct_arr_waterfall [dbt_error]" in result.message
    assert sha256(warehouse) == before
    assert not config.candidate.exists()
    [row] = run_log.read_all(config.run_log)
    assert row["outcome"] == "failed_build"
    summary = json.loads(result.summary_path.read_text())
    assert summary["outcome"] == "failed_build" and summary["published"] is False


def test_failed_mart_validation_publishes_nothing(stub_run):
    warehouse, go = stub_run
    before = sha256(warehouse)
    config, result = go(BAD_MARTS)
    assert (result.outcome, result.exit_code) == ("failed_mart_validation", 1)
    assert "revenue.fct_net_revenue_retention.nrr [nrr_bounds]" in result.message
    assert sha256(warehouse) == before
    assert not config.candidate.exists()
    [row] = run_log.read_all(config.run_log)
    rules = {(r["table"], r["rule"]) for r in json.loads(row["validation_results"])}
    assert ("health.fct_account_health", "health_score_bounds") in rules


def test_sound_marts_are_published_with_the_run_log(stub_run):
    warehouse, go = stub_run
    config, result = go(GOOD_MARTS)
    assert (result.outcome, result.exit_code) == ("published", 0), result.message
    assert not config.candidate.exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # built on a copy of the published file: what was there is still there
        assert con.execute("select x from kept").fetchall() == [(1,)]
        runs = con.execute("select run_id, outcome from audit.audit_runs").fetchall()
    assert runs == [(result.run_id, "published")]
    assert (config.output_dir / "data_docs" / "index.html").exists()


def usage_book(path: Path, good_events: int, dangling_events: int) -> Path:
    """The tiny book with usage_events replaced by good events of A1 and events of an account
    that does not exist (each a row that staging rejects)."""
    shutil.copytree(TINY_BOOK, path)
    header = "event_id,account_id,user_id,occurred_at,feature,session_id"
    rows = [f"G{n},A1,U1,2025-03-01T10:00:00Z,dashboards,S{n}" for n in range(good_events)]
    rows += [f"D{n},ZZ9,U1,2025-03-01T10:00:00Z,dashboards,S{n}" for n in range(dangling_events)]
    (path / "usage_events.csv").write_text("\n".join([header, *rows]) + "\n")
    return path


def test_a_single_bad_row_within_the_limit_is_a_note(tmp_path):
    """1 dangling event of 200 (0.50%) is within the default 1%: a note, as dbt build warns."""
    raw = usage_book(tmp_path / "raw", 199, 1)
    result = validate_raw(raw, load_raw_contract(REPO), None, 2.0)
    assert result.failures == []
    [note] = [n for n in result.notes if n.startswith("raw.usage_events:")]
    assert note.startswith(
        "raw.usage_events: 1 of 200 raw rows (0.50%) break the contract, within its limit of "
        "1.00% (var max_rejected_share)"
    )
    assert '"account_id: every account must exist in raw.accounts" (1 row)' in note


def test_a_share_above_the_limit_fails_naming_the_table(tmp_path):
    """3 of 200 (1.50%) is above 1%: the table fails with its share, limit and top reason,
    followed by the broken rule; a per-table limit of 2% lets the same folder pass."""
    raw = usage_book(tmp_path / "raw", 197, 3)
    contracts = load_raw_contract(REPO)
    result = validate_raw(raw, contracts, None, 2.0)
    assert [(f.table, f.rule) for f in result.failures] == [
        ("raw.usage_events", "rejected_share"),
        ("raw.usage_events", "references_accounts"),
    ]
    assert result.failures[0].message() == (
        "raw.usage_events [rejected_share]: Rejected share of raw.usage_events is 1.50% (3 of "
        "200 raw rows), above its limit of 1.00% (var max_rejected_share). Top reasons: "
        '"account_id: every account must exist in raw.accounts" (3 rows).'
    )
    lenient = RejectedShareLimits.from_vars(
        {"max_rejected_share": 0.01, "max_rejected_share_by_table": {"usage_events": 0.02}}
    )
    assert validate_raw(raw, contracts, None, 2.0, lenient).failures == []


# -- the raw checks against a plain-Python reading of the same files --------------------------
#
# A few thousand generated rows with defects planted at random; the expected findings are worked
# out below with the csv module alone (no DuckDB, no project code), from the contract written
# out by hand: (column, type, nullable, accepted values, min, max), in the order of the YAML.

EXPECTED_CONTRACT = {
    "usage_events": {
        "columns": [
            ("event_id", "string", False, None, None, None),
            ("account_id", "string", False, None, None, None),
            ("user_id", "string", False, None, None, None),
            ("occurred_at", "timestamp", False, None, None, None),
            ("feature", "string", False, None, None, None),
            ("session_id", "string", False, None, None, None),
        ],
        "key": "event_id",
        "date_order": None,
        "currency": None,
    },
    "subscription_line_items": {
        "columns": [
            ("line_item_id", "string", False, None, None, None),
            ("account_id", "string", False, None, None, None),
            ("product", "string", True, None, None, None),
            ("plan", "string", True, None, None, None),
            ("line_type", "string", False, {"recurring", "one_time", "usage"}, None, None),
            ("interval_months", "integer", False, None, 1, None),
            ("start_date", "date", False, None, None, None),
            ("end_date", "date", True, None, None, None),
            ("quantity", "number", False, None, 0, None),
            ("unit_price", "number", False, None, 0, None),
            ("discount_pct", "number", False, None, 0, 1),
            ("currency", "string", False, None, None, None),
        ],
        "key": "line_item_id",
        "date_order": ("start_date", "end_date"),  # strict: the end after the start
        "currency": "currency",
    },
}


def generated_rows(rng) -> dict[str, list[list[str]]]:
    """Rows of usage_events and subscription_line_items, some of them broken, some repeated."""
    events = []
    for n in range(3000):
        row = [
            f"E{n}",
            rng.choice(["A1", "A2", " A3 ", "A4", "A5"]),
            f"U{rng.randrange(40)}",
            f"2025-03-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z",
            rng.choice(["dashboards", "exports", "alerts"]),
            f"S{n // 4}",
        ]
        defect = rng.random()
        if defect < 0.02:
            row[0] = rng.choice(["", "   "])
        elif defect < 0.05:
            row[1] = rng.choice(["ZZ1", "ZZ2", "a1", ""])
        elif defect < 0.07:
            row[3] = rng.choice(["not-a-time", "2025-02-30T10:00:00Z", ""])
        elif defect < 0.08:
            row[4] = ""
        elif defect < 0.09 and events:
            events.append(list(rng.choice(events)))  # an exact duplicate of an earlier row
        elif defect < 0.10 and events:
            row[0] = rng.choice(events)[0]  # an earlier event's id on a different row
        events.append(row)
    lines = []
    for n in range(1000):
        start = f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}"
        row = [
            f"L{n}",
            rng.choice(["A1", "A2", "A3", "A4", "A5"]),
            "core",
            rng.choice(["team", ""]),
            rng.choice(["recurring", "one_time", "usage"]),
            rng.choice(["1", "12"]),
            start,
            rng.choice(["", f"2026-{1 + n % 12:02d}-01"]),
            str(rng.randrange(1, 6)),
            rng.choice(["100", "49.5", "1200"]),
            rng.choice(["0", "0.1", "0.25"]),
            rng.choice(["USD", "EUR", "GBP"]),
        ]
        defect = rng.random()
        if defect < 0.02:
            row[4] = "rental"
        elif defect < 0.04:
            row[5] = rng.choice(["0", "-2", "x"])
        elif defect < 0.06:
            row[6] = rng.choice(["notadate", "2024-02-30"])
        elif defect < 0.08:
            row[7] = rng.choice([start, "2023-12-31"])  # not after the start
        elif defect < 0.10:
            row[8] = rng.choice(["-1", "-0.5"])
        elif defect < 0.11:
            row[9] = rng.choice(["", "abc"])
        elif defect < 0.13:
            row[10] = rng.choice(["1.5", "-0.25"])
        elif defect < 0.15:
            row[11] = rng.choice(["JPY", " usd", ""])
        elif defect < 0.16:
            row[1] = "Q9"
        elif defect < 0.17 and lines:
            row[0] = rng.choice(lines)[0]
        lines.append(row)
    return {"usage_events": events, "subscription_line_items": lines}


def _typed(kind: str, text: str):
    """The value a contract type reads from `text` (None when it does not cast)."""
    try:
        if kind == "integer":
            return int(text) if text.lstrip("-").isdigit() else None
        if kind == "number":
            return float(text)
        if kind == "date":
            return date.fromisoformat(text)
        if kind == "timestamp":
            return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None
    return text


def _shown(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def expected_findings(raw: Path, table: str):
    """Per table: the broken rules in check order as (column, rule, count, examples), the
    distinct broken rows, the raw rows and the exact duplicates, read with the csv module."""
    spec = EXPECTED_CONTRACT[table]
    with (raw / "accounts.csv").open(newline="") as handle:
        accounts = {row["account_id"].strip() for row in csv.DictReader(handle)} - {""}
    with (raw / "fx_rates.csv").open(newline="") as handle:
        currencies = {"USD"} | {row["currency"].strip() for row in csv.DictReader(handle)}
    with (raw / f"{table}.csv").open(newline="") as handle:
        text_rows = [
            tuple(value.strip() or None for value in row) for row in list(csv.reader(handle))[1:]
        ]
    names = [c[0] for c in spec["columns"]]
    kinds = {c[0]: c[1] for c in spec["columns"]}

    def value(row, column):
        text = row[names.index(column)]
        return None if text is None else _typed(kinds[column], text)

    rules = []  # (column, rule, is_broken(row) -> shown value or None)
    for column, kind, nullable, values, low, high in spec["columns"]:
        at = names.index(column)
        if not nullable:
            rules.append((column, "not_null", lambda r, at=at: "nan" if r[at] is None else None))
        if kind != "string":
            rules.append(
                (
                    column,
                    "castable",
                    lambda r, at=at, c=column: r[at] if r[at] and value(r, c) is None else None,
                )
            )
        if values:
            rules.append(
                (
                    column,
                    "accepted_values",
                    lambda r, c=column, v=values: (
                        value(r, c) if value(r, c) is not None and value(r, c) not in v else None
                    ),
                )
            )
        if low is not None or high is not None:

            def outside(r, c=column, low=low, high=high):
                typed = value(r, c)
                if typed is None:
                    return None
                broken = (low is not None and typed < low) or (high is not None and typed > high)
                return _shown(typed) if broken else None

            rules.append((column, "range", outside))
    key_at = names.index(spec["key"])
    distinct_by_key: dict[str, set] = {}
    for row in text_rows:
        if row[key_at] is not None:
            distinct_by_key.setdefault(row[key_at], set()).add(row)
    conflicting = {key for key, rows in distinct_by_key.items() if len(rows) > 1}
    rules.append(
        (spec["key"], "unique_key", lambda r: r[key_at] if r[key_at] in conflicting else None)
    )
    account_at = names.index("account_id")
    rules.append(
        (
            "account_id",
            "references_accounts",
            lambda r: r[account_at] if r[account_at] and r[account_at] not in accounts else None,
        )
    )
    if spec["date_order"]:
        earlier, later = spec["date_order"]

        def not_after(r):
            first, last = value(r, earlier), value(r, later)
            if first is None or last is None or last > first:
                return None
            return f"({_shown(last)}, {_shown(first)})"

        rules.append((later, "date_order", not_after))
    if spec["currency"]:
        at = names.index(spec["currency"])
        rules.append(
            (
                spec["currency"],
                "fx_rate_exists",
                lambda r: r[at] if r[at] is not None and r[at] not in currencies else None,
            )
        )
    findings, broken_rows = [], set()
    for column, rule, broken in rules:
        shown = [(row, broken(row)) for row in text_rows]
        shown = [(row, example) for row, example in shown if example is not None]
        broken_rows |= {row for row, _ in shown}
        if shown:
            examples = [_shown(example) for _, example in shown[:5]]
            findings.append((column, rule, len(shown), examples))
    duplicates = len(text_rows) - len(set(text_rows))
    return findings, len(broken_rows), len(text_rows), duplicates


def generated_book(path: Path, file_format: str) -> Path:
    """The tiny book with generated usage events and line items, as CSV or as parquet of text
    in row groups of 128 rows (so that DuckDB reads the file on several threads)."""
    shutil.copytree(TINY_BOOK, path)
    for table, rows in generated_rows(random.Random(16)).items():
        with (path / f"{table}.csv").open(newline="") as handle:
            header = next(csv.reader(handle))
        with (path / f"{table}.csv").open("w", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, *rows])
        if file_format == "parquet":
            columns = {name: [row[i] for row in rows] for i, name in enumerate(header)}
            pq.write_table(pa.table(columns), path / f"{table}.parquet", row_group_size=128)
    return path


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_raw_findings_match_a_plain_python_reading_of_the_files(tmp_path, file_format):
    raw = generated_book(tmp_path / "raw", file_format)
    strict = RejectedShareLimits.from_vars({"max_rejected_share": 0})
    result = validate_raw(raw, load_raw_contract(REPO), None, 2.0, strict)
    assert {f.table for f in result.failures} == {f"raw.{t}" for t in EXPECTED_CONTRACT}
    for table in EXPECTED_CONTRACT:
        findings, rejected, rows, duplicates = expected_findings(raw, table)
        assert rejected and (duplicates or table != "usage_events")  # as planted
        failures = [f for f in result.failures if f.table == f"raw.{table}"]
        share, *row_failures = failures
        assert share.rule == "rejected_share"
        assert share.detail.startswith(
            f"Rejected share of raw.{table} is {100 * rejected / rows:.2f}% ({rejected} of "
            f"{rows} raw rows), above its limit of 0.00%"
        ), share.detail
        found = [(f.column, f.rule, f.unexpected_count, f.examples) for f in row_failures]
        assert found == findings
        assert result.row_counts[table] == rows
        duplicate_notes = [n for n in result.notes if n.startswith(f"raw.{table}: ")]
        assert duplicate_notes == (
            [
                f"raw.{table}: {duplicates} exact duplicate row(s); staging collapses them "
                "(not a failure)"
            ]
            if duplicates
            else []
        )


# -- no table is fetched into Python -----------------------------------------------------------


class FetchWatchingConnection:
    """A DuckDB connection that hands results to Python only through fetchone and fetchall,
    and records the most rows fetched from a query (a file's `describe`, one row per column,
    aside); any other use (df, fetchdf, arrow, pl, sql, ...) fails the test."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection
        self._describing = False
        self.largest_fetch = 0

    def __enter__(self) -> FetchWatchingConnection:
        return self

    def __exit__(self, *exc) -> None:
        self._connection.close()

    def execute(self, sql: str, *args) -> FetchWatchingConnection:
        self._describing = sql.lstrip().lower().startswith("describe ")
        self._connection.execute(sql, *args)
        return self

    def fetchone(self):
        return self._connection.fetchone()

    def fetchall(self) -> list:
        rows = self._connection.fetchall()
        if not self._describing:
            self.largest_fetch = max(self.largest_fetch, len(rows))
        return rows

    def __getattr__(self, name: str):
        raise AssertionError(f"the raw validation called DuckDBPyConnection.{name}")


def test_raw_validation_fetches_examples_never_tables(tmp_path, monkeypatch):
    """Thousands of broken rows: what reaches Python is their counts and five examples."""
    raw = usage_book(tmp_path / "raw", 6000, 3000)
    connect, watched = duckdb.connect, []

    def watching_connect(*args, **kwargs):
        watched.append(FetchWatchingConnection(connect(*args, **kwargs)))
        return watched[-1]

    monkeypatch.setattr(duckdb, "connect", watching_connect)
    result = validate_raw(raw, load_raw_contract(REPO), None, 2.0)
    monkeypatch.undo()
    [dangling] = [f for f in result.failures if f.rule == "references_accounts"]
    assert (dangling.unexpected_count, dangling.examples) == (3000, ["ZZ9"] * 5)
    assert result.row_counts["usage_events"] == 9000
    [connection] = watched
    assert 0 < connection.largest_fetch <= EXAMPLES_SHOWN
