"""The run log: one `audit_runs` row per scheduled run, in its own DuckDB file.

A failed run must leave the published warehouse byte-for-byte unchanged, so the log cannot live
there: it is a separate file (by default `run_log.duckdb` next to the warehouse). On a successful
publish the whole table is also copied into the candidate warehouse as `audit.audit_runs` before
the candidate is swapped in, so BI reads the history from the warehouse it already connects to.

Counts, rejected rows, failures and freshness are JSON text (DuckDB reads them with `->>` or
`json_extract`), which keeps the table one row per run.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

TABLE = "audit_runs"
COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "varchar"),
    ("started_at", "timestamp"),  # UTC
    ("ended_at", "timestamp"),  # UTC
    ("as_of_date", "date"),
    ("outcome", "varchar"),
    ("message", "varchar"),
    ("raw_path", "varchar"),
    ("warehouse_path", "varchar"),
    ("raw_row_counts", "varchar"),  # JSON {table: rows}
    ("mart_row_counts", "varchar"),  # JSON {schema.table: rows}
    ("rejected_rows", "varchar"),  # JSON {table: {raw_rows, rejected_rows, ...}}, when built
    ("validation_results", "varchar"),  # JSON [{stage, table, column, rule, detail, ...}]
    ("freshness", "varchar"),  # JSON [{table, status, age_hours, ...}]
)
JSON_COLUMNS = {
    "raw_row_counts",
    "mart_row_counts",
    "rejected_rows",
    "validation_results",
    "freshness",
}


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS)
    con.execute(f"create table if not exists {TABLE} ({columns})")
    for name, kind in COLUMNS:  # a log written by an older version gains the new columns
        con.execute(f"alter table {TABLE} add column if not exists {name} {kind}")


def last_published(run_log: Path) -> dict | None:
    """Counts of the latest published run: {'raw_row_counts': {...}, 'mart_row_counts': {...}}."""
    if not Path(run_log).exists():
        return None
    with duckdb.connect(str(run_log), read_only=True) as con:
        tables = con.execute(
            "select 1 from information_schema.tables where table_name = ?", [TABLE]
        ).fetchall()
        if not tables:
            return None
        row = con.execute(
            f"select run_id, raw_row_counts, mart_row_counts from {TABLE} "
            "where outcome = 'published' order by ended_at desc, started_at desc limit 1"
        ).fetchone()
    if row is None:
        return None
    return {
        "run_id": row[0],
        "raw_row_counts": json.loads(row[1] or "{}"),
        "mart_row_counts": json.loads(row[2] or "{}"),
    }


def append(run_log: Path, row: dict) -> None:
    """Append one run; JSON columns are serialised here."""
    Path(run_log).parent.mkdir(parents=True, exist_ok=True)
    values = [
        json.dumps(row.get(name), default=str, sort_keys=True)
        if name in JSON_COLUMNS and row.get(name) is not None
        else row.get(name)
        for name, _ in COLUMNS
    ]
    with duckdb.connect(str(run_log)) as con:
        _ensure(con)
        names = ", ".join(name for name, _ in COLUMNS)
        marks = ", ".join("?" for _ in COLUMNS)
        con.execute(f"insert into {TABLE} ({names}) values ({marks})", values)


def set_outcome(run_log: Path, run_id: str, outcome: str, message: str) -> None:
    with duckdb.connect(str(run_log)) as con:
        con.execute(
            f"update {TABLE} set outcome = ?, message = ? where run_id = ?",
            [outcome, message, run_id],
        )


def copy_into_warehouse(warehouse: Path, run_log: Path, schema: str = "audit") -> int:
    """Replace `<schema>.audit_runs` in `warehouse` with the whole run log; rows copied."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"attach '{str(run_log).replace(chr(39), chr(39) * 2)}' as run_log (read_only)")
        con.execute(f"create schema if not exists {schema}")
        con.execute(
            f"create or replace table {schema}.{TABLE} as "
            f"select * from run_log.{TABLE} order by started_at"
        )
        con.execute("detach run_log")
        copied = con.execute(f"select count(*) from {schema}.{TABLE}").fetchone()[0]
        con.execute("checkpoint")
    return copied


def read_all(path: Path, table: str = TABLE) -> list[dict]:
    """Every row of a run log (or of `audit.audit_runs` in a warehouse), oldest first."""
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(f"select * from {table} order by started_at")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
