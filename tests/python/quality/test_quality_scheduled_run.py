"""Scheduled runs end to end: one clean run builds and publishes (the only dbt build of this
module); then each kind of raw defect fails the run before dbt, names the table, the column and
the rule, and leaves the published warehouse byte for byte as it was; a stale source fails at
freshness.

The raw folder is the tiny book plus 50 generated usage events (so that a 90% shrink of
usage_events is meaningful). Its line items and usage end months before its as_of_date, so runs
that are not about freshness raise the freshness thresholds through --vars.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, TINY_BOOK
from nrr_engine.quality import run_log
from nrr_engine.quality.scheduled_run import RunConfig, run

FRESHNESS_TABLES = ("usage_events", "invoices", "subscription_line_items")
NEVER_STALE = {"warn": 10**6, "error": 10**6}
QUIET_FRESHNESS = {"freshness_hours": dict.fromkeys(FRESHNESS_TABLES, NEVER_STALE)}
EXTRA_EVENTS = 50
ROW_RULES = {"unique_key", "accepted_values", "date_order", "references_accounts"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


def append_row(raw: Path, table: str, row: str) -> None:
    with (raw / f"{table}.csv").open("a") as handle:
        handle.write(row + "\n")


def drop_column(raw: Path, table: str, column: str) -> None:
    header, rows = read_csv(raw / f"{table}.csv")
    keep = [i for i, name in enumerate(header) if name != column]
    write_csv(raw / f"{table}.csv", [header[i] for i in keep], [[r[i] for i in keep] for r in rows])


def keep_first_rows(raw: Path, table: str, count: int) -> None:
    header, rows = read_csv(raw / f"{table}.csv")
    write_csv(raw / f"{table}.csv", header, rows[:count])


def make_raw_folder(path: Path) -> Path:
    """The tiny book plus EXTRA_EVENTS usage events of account A1 in March 2025."""
    shutil.copytree(TINY_BOOK, path)
    header, rows = read_csv(path / "usage_events.csv")
    for n in range(EXTRA_EVENTS):
        stamp = f"2025-03-{1 + n % 28:02d}T{8 + n % 10:02d}:00:00Z"
        rows.append([f"EX{n}", "A1", "U1", stamp, "dashboards", f"SX{n // 5}"])
    write_csv(path / "usage_events.csv", header, rows)
    return path


@dataclass
class Published:
    """The state after the module's one clean run."""

    raw: Path
    warehouse: Path
    run_log: Path
    result: object
    seconds: float


def config(root: Path, raw: Path, warehouse: Path, log: Path, dbt_vars=None) -> RunConfig:
    return RunConfig(
        project_dir=REPO,
        raw_path=raw,
        warehouse=warehouse,
        run_log=log,
        output_dir=root / "out",
        dbt_vars=QUIET_FRESHNESS if dbt_vars is None else dbt_vars,
        # the dbt unit tests read only their fixture rows: they run in the tiny book's build
        build_args=("--exclude-resource-type", "unit_test"),
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Published:
    import time

    root = tmp_path_factory.mktemp("scheduled_clean")
    raw = make_raw_folder(root / "raw")
    warehouse, log = root / "warehouse" / "nrr.duckdb", root / "warehouse" / "run_log.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NRR_DUCKDB_TEMP_DIR", str(root / "duckdb_tmp"))
        began = time.monotonic()
        result = run(config(root, raw, warehouse, log))
    return Published(raw, warehouse, log, result, time.monotonic() - began)


@pytest.fixture
def copy_of_published(published, tmp_path):
    """The published warehouse and run log, copied so that each test owns its own."""

    def make() -> tuple[Path, Path, Path]:
        assert published.result.outcome == "published", published.result.message
        raw = tmp_path / "raw"
        shutil.copytree(published.raw, raw)
        (tmp_path / "warehouse").mkdir()
        warehouse = tmp_path / "warehouse" / "nrr.duckdb"
        log = tmp_path / "warehouse" / "run_log.duckdb"
        shutil.copyfile(published.warehouse, warehouse)
        shutil.copyfile(published.run_log, log)
        return raw, warehouse, log

    return make


def test_a_clean_run_publishes_and_logs_one_run(published):
    result = published.result
    assert (result.outcome, result.exit_code) == ("published", 0), result.message
    assert result.failures == []
    assert not published.warehouse.with_name("nrr.duckdb.next").exists()

    [row] = run_log.read_all(published.run_log)
    assert (row["run_id"], row["outcome"]) == (result.run_id, "published")
    assert row["started_at"] <= row["ended_at"]
    assert str(row["as_of_date"]) == "2025-03-31"
    assert json.loads(row["raw_row_counts"])["usage_events"] == 1 + EXTRA_EVENTS
    assert json.loads(row["validation_results"]) == []
    rejected = json.loads(row["rejected_rows"])
    assert rejected["subscription_line_items"]["rejected_rows"] == 0
    assert json.loads(row["mart_row_counts"])["revenue.fct_arr_waterfall"] > 0

    with duckdb.connect(str(published.warehouse), read_only=True) as con:
        assert con.execute("select run_id, outcome from audit.audit_runs").fetchall() == [
            (result.run_id, "published")
        ]
        nrr = con.execute("select count(*) from revenue.fct_net_revenue_retention").fetchone()
        months = con.execute(
            "select count(*) from revenue.fct_arr_waterfall where period_grain = 'month'"
        ).fetchone()
    assert nrr[0] > 0 and months[0] > 0

    summary = json.loads(result.summary_path.read_text())
    assert summary["outcome"] == "published"
    assert [s["stage"] for s in summary["stages"]] == [
        "raw",
        "freshness",
        "build",
        "marts",
        "publish",
    ]
    assert (result.summary_path.parent / "data_docs" / "index.html").exists()
    print(f"clean scheduled run: {published.seconds:.1f} s")


# (name, edit of the raw folder, table, column, rule)
RAW_DEFECTS = [
    (
        "missing column",
        lambda raw: drop_column(raw, "accounts", "created_at"),
        "accounts",
        "created_at",
        "required_column",
    ),
    (
        "duplicate key",
        lambda raw: append_row(
            raw,
            "subscription_line_items",
            "L2,A1,core,team_monthly,recurring,1,2024-04-01,,4,100,0,USD",
        ),
        "subscription_line_items",
        "line_item_id",
        "unique_key",
    ),
    (
        "unknown enumeration value",
        lambda raw: append_row(
            raw,
            "subscription_line_items",
            "L90,A1,core,team_monthly,rental,1,2024-05-01,,1,100,0,USD",
        ),
        "subscription_line_items",
        "line_type",
        "accepted_values",
    ),
    (
        "end before start",
        lambda raw: append_row(
            raw,
            "subscription_line_items",
            "L91,A1,core,team_monthly,recurring,1,2024-05-01,2024-04-01,1,100,0,USD",
        ),
        "subscription_line_items",
        "end_date",
        "date_order",
    ),
    (
        "dangling account_id",
        lambda raw: append_row(
            raw, "usage_events", "E999,ZZ9,U1,2025-03-20T10:00:00Z,dashboards,S999"
        ),
        "usage_events",
        "account_id",
        "references_accounts",
    ),
    (
        "usage_events shrinks by 90%",
        lambda raw: keep_first_rows(raw, "usage_events", 5),
        "usage_events",
        None,
        "volume",
    ),
]


@pytest.mark.parametrize(
    ("edit", "table", "column", "rule"),
    [case[1:] for case in RAW_DEFECTS],
    ids=[case[0] for case in RAW_DEFECTS],
)
def test_a_raw_defect_fails_the_run_and_publishes_nothing(
    copy_of_published, tmp_path, edit, table, column, rule
):
    raw, warehouse, log = copy_of_published()
    edit(raw)
    before = sha256(warehouse)

    result = run(config(tmp_path, raw, warehouse, log))

    assert (result.outcome, result.exit_code) == ("failed_raw_validation", 1)
    named = f"raw.{table}" + (f".{column}" if column else "") + f" [{rule}]"
    assert named in result.message, result.message
    assert (f"raw.{table}", column, rule) in {(f.table, f.column, f.rule) for f in result.failures}
    if rule in ROW_RULES:  # one bad row in a table this small is far above the 1% limit
        [share] = [f for f in result.failures if f.rule == "rejected_share"]
        assert share.table == f"raw.{table}"
        assert share.detail.startswith(f"Rejected share of raw.{table} is "), share.detail
        assert "above its limit of 1.00% (var max_rejected_share). Top reasons: " in share.detail
    assert sha256(warehouse) == before
    assert not warehouse.with_name("nrr.duckdb.next").exists()
    # stopped before dbt
    assert [s["stage"] for s in result.summary["stages"]] == ["raw"]
    assert result.summary["dbt_logs"] == {}
    # the run log has the published run and this one
    rows = run_log.read_all(log)
    assert [r["outcome"] for r in rows] == ["published", "failed_raw_validation"]
    logged = json.loads(rows[-1]["validation_results"])
    assert {"table": f"raw.{table}", "column": column, "rule": rule}.items() <= next(
        r for r in logged if r["rule"] == rule
    ).items()


def test_a_stale_source_fails_at_freshness_from_the_command_line(copy_of_published, tmp_path):
    """Default thresholds (freshness_hours), as_of_date three months after the book's last
    invoice and event: usage events (error after 168 h) and invoices (1,440 h) fail; line items
    (no error threshold) only warn. The CLI exits 1, names table, column and rule, and
    publishes nothing."""
    raw, warehouse, log = copy_of_published()
    before = sha256(warehouse)
    env = {**os.environ, "NRR_DUCKDB_TEMP_DIR": str(tmp_path / "duckdb_tmp")}
    args = [sys.executable, "-m", "nrr_engine.quality.scheduled_run", "--project-dir", str(REPO)]
    args += ["--raw-path", str(raw), "--warehouse", str(warehouse), "--run-log", str(log)]
    args += ["--output-dir", str(tmp_path / "out"), "--as-of-date", "2025-06-30"]
    completed = subprocess.run(
        args, capture_output=True, text=True, env=env, check=False, timeout=600
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "raw.usage_events.occurred_at [freshness]" in output
    assert "raw.invoices.issued_at [freshness]" in output
    assert "raw.subscription_line_items.start_date [freshness]" not in output
    assert "failed_freshness" in output
    assert sha256(warehouse) == before
    assert not warehouse.with_name("nrr.duckdb.next").exists()
    assert [r["outcome"] for r in run_log.read_all(log)] == ["published", "failed_freshness"]


# One policy for bad rows, and freshness only where there are rows: a run with an empty invoices
# file and one bad line item, under a per-table limit that tolerates it, publishes with notes.


@pytest.fixture(scope="module")
def lenient_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("scheduled_lenient")
    raw = make_raw_folder(root / "raw")
    header, _rows = read_csv(raw / "invoices.csv")
    write_csv(raw / "invoices.csv", header, [])  # header only
    append_row(
        raw,
        "subscription_line_items",
        "L91,A1,core,team_monthly,recurring,1,2024-05-01,2024-04-01,1,100,0,USD",
    )
    _header, line_items = read_csv(raw / "subscription_line_items.csv")
    warehouse, log = root / "warehouse" / "nrr.duckdb", root / "warehouse" / "run_log.duckdb"
    # default freshness thresholds; line items may have up to 1 bad row in 10
    dbt_vars = {"max_rejected_share_by_table": {"subscription_line_items": 0.1}}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NRR_DUCKDB_TEMP_DIR", str(root / "duckdb_tmp"))
        result = run(config(root, raw, warehouse, log, dbt_vars=dbt_vars))
    return result, warehouse, len(line_items)


def test_header_only_invoices_pass_freshness_with_a_note(lenient_run):
    result, _warehouse, _line_items = lenient_run
    assert result.outcome == "published", result.message
    assert "raw.invoices is empty: freshness not checked" in result.summary["notes"]
    checked = {entry["table"] for entry in result.summary["freshness"]}
    assert checked == {"raw.usage_events", "raw.subscription_line_items"}


def test_a_rejected_share_below_the_limit_passes_with_a_note(lenient_run):
    """1 bad line of the file's rows: within the 10% limit of line items, in the raw validation
    (a note) and in dbt build (the same var: the row is quarantined, the run publishes)."""
    result, warehouse, line_items = lenient_run
    assert (result.outcome, result.failures) == ("published", []), result.message
    share = f"{100 / line_items:.2f}%"
    note = (
        f"raw.subscription_line_items: 1 of {line_items} raw rows ({share}) break the contract, "
        "within its limit of 10.00% (var max_rejected_share_by_table.subscription_line_items)"
    )
    assert any(n.startswith(note) for n in result.summary["notes"]), result.summary["notes"]
    assert any("end_date must be after start_date" in n for n in result.summary["notes"])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rejected = con.execute(
            "select record_id from audit.audit_rejected_rows "
            "where source_table = 'subscription_line_items'"
        ).fetchall()
    assert rejected == [("L91",)]
