"""Own data never mixes with other data: a warehouse's incremental state is bound to its source.

Incremental models re-read only their latest days, so a build on other raw data into a used
warehouse would keep the old events and snapshots (docs/definitions.md#incremental-runs). The
check at the start of every run (macros/raw/check_incremental_state.sql) compares what
audit.audit_incremental_state recorded with the raw data of the run and stops, before any
model runs, with a plain message. These tests feed a second book into a used warehouse,
restate the history of a book in place, and check that what is left is either correct marts
or the old marts untouched, never a mix.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import build_ok, generate_book, run_dbt

# the marts compared, and the models they need (no audit, calibration or fixture models)
COMPARED = (
    "revenue.fct_arr_waterfall",
    "health.fct_account_health",
    "intermediate.int_usage_account_feature_days_aggregated",
)
SELECTED = [
    "--select",
    "+fct_arr_waterfall",
    "+fct_account_health",
    "+config.materialized:incremental",
    "--exclude-resource-type",
    "test",
    "unit_test",
]
USAGE_LOOKBACK_DAYS = 3  # dbt_project.yml vars: usage_lookback_days
EVENTS_DROPPED = 10


def _copy_book(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file():
            shutil.copyfile(path, target / path.name)
    return target


def _rows(warehouse: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select * from {table} order by all").fetchall()


def _marts(warehouse: Path) -> dict[str, list[tuple]]:
    return {table: _rows(warehouse, table) for table in COMPARED}


def _same_rows(left: list[tuple], right: list[tuple]) -> bool:
    """Row for row equal; floats to 1e-9 relative (an average's last bit depends on the order
    DuckDB adds in, run to run)."""

    def same(a, b) -> bool:
        if isinstance(a, float) and isinstance(b, float):
            return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (
                math.isnan(a) and math.isnan(b)
            )
        return a == b

    return len(left) == len(right) and all(
        len(x) == len(y) and all(same(a, b) for a, b in zip(x, y, strict=True))
        for x, y in zip(left, right, strict=True)
    )


def _stopped(build, *expected: str) -> str:
    """The build failed at the start with the check's message, and no model ran."""
    assert build.returncode != 0, build.output[-3000:]
    assert "on-run-start" in build.output, build.output[-3000:]
    assert "START sql" not in build.output, "a model ran before the check stopped the run"
    message = " ".join(build.output.split())
    for text in ("--full-refresh", *expected):
        assert text in message, f"{text!r} not in: {message[-3000:]}"
    return message


def _event_cutoff(events: Path) -> dt.date:
    """The first day an incremental run re-reads: the latest event day less the look-back."""
    with duckdb.connect() as con:
        latest = con.execute(
            f"select max(cast(occurred_at as date)) from read_parquet('{events}')"
        ).fetchone()[0]
    return latest - dt.timedelta(days=USAGE_LOOKBACK_DAYS)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental_state")
    book_a = generate_book(root / "book_a", 200, 24, seed=3)
    book_b = generate_book(root / "book_b", 200, 24, seed=4)
    return {"root": root, "a": book_a, "b": book_b}


@pytest.fixture(scope="module")
def second_book(books):
    """Book A into a warehouse, then book B into the same warehouse (stops), then B with
    --full-refresh; and B alone into a fresh warehouse."""
    root = books["root"]
    first = build_ok(root / "used", books["a"], extra_args=SELECTED)
    marts_of_a = _marts(first.warehouse)
    stopped = run_dbt(root / "used", books["b"], extra_args=SELECTED)
    marts_after_stop = _marts(first.warehouse)
    refreshed = build_ok(root / "used", books["b"], extra_args=[*SELECTED, "--full-refresh"])
    fresh = build_ok(root / "fresh_b", books["b"], extra_args=SELECTED)
    return {
        "marts_of_a": marts_of_a,
        "stopped": stopped,
        "marts_after_stop": marts_after_stop,
        "refreshed": refreshed,
        "fresh": fresh,
    }


def test_second_book_into_a_used_warehouse_stops_with_a_plain_message(books, second_book):
    message = _stopped(
        second_book["stopped"],
        f"built from the raw source {books['a']}",
        f"this run reads {books['b']}",
        "usage_events (rows dated before",
    )
    assert "would mix the two" in message


def test_the_stopped_build_left_the_first_books_marts_as_they_were(second_book):
    assert second_book["marts_of_a"]["revenue.fct_arr_waterfall"]
    assert second_book["marts_after_stop"] == second_book["marts_of_a"]


def test_full_refresh_gives_the_marts_of_a_fresh_build(second_book):
    refreshed = _marts(second_book["refreshed"].warehouse)
    fresh = _marts(second_book["fresh"].warehouse)
    for table in COMPARED:
        assert refreshed[table], table
        assert _same_rows(refreshed[table], fresh[table]), table
        assert not _same_rows(refreshed[table], second_book["marts_of_a"][table]), table
    state = second_book["refreshed"].query(
        "select distinct raw_source, status from audit.audit_incremental_state"
    )
    assert state == [(str(second_book["fresh"].raw_path), "complete")]


@pytest.fixture(scope="module")
def restatable(books):
    """Book A copied to a folder of its own and built: the folder can then be re-exported."""
    root = books["root"] / "restated"
    raw = _copy_book(books["a"], root / "raw")
    original = root / "usage_events_original.parquet"
    shutil.copyfile(raw / "usage_events.parquet", original)
    build = build_ok(root, raw, extra_args=SELECTED)
    return {"root": root, "raw": raw, "original": original, "build": build}


def _rewrite_events(restatable, select_sql: str) -> None:
    """Replace the folder's usage_events with `select_sql` over the original events (`events`)."""
    out = restatable["root"] / "usage_events_rewritten.parquet"
    with duckdb.connect() as con:
        con.execute(f"create view events as select * from read_parquet('{restatable['original']}')")
        con.execute(f"copy ({select_sql}) to '{out}' (format parquet)")
    shutil.move(out, restatable["raw"] / "usage_events.parquet")


def test_restated_history_stops_naming_the_table_and_the_row_counts(restatable):
    cutoff = _event_cutoff(restatable["original"])
    with duckdb.connect() as con:
        stored = con.execute(
            f"select count(*) from read_parquet('{restatable['original']}') "
            f"where cast(occurred_at as date) < date '{cutoff}'"
        ).fetchone()[0]
    # drop some events from a month before the look-back window: history already loaded
    _rewrite_events(
        restatable,
        "select * from events where event_id not in (select event_id from events "
        f"where occurred_at < date '{cutoff}' - interval 30 day "
        f"order by event_id limit {EVENTS_DROPPED})",
    )
    before = _marts(restatable["build"].warehouse)
    stopped = run_dbt(restatable["root"], restatable["raw"], extra_args=SELECTED)
    _stopped(
        stopped,
        f"The raw source {restatable['raw']} is the one recorded",
        f"usage_events (rows dated before {cutoff}): {stored} rows stored, "
        f"{stored - EVENTS_DROPPED} rows found now",
    )
    assert "accounts (" not in " ".join(stopped.output.split()), "only usage_events changed"
    assert _marts(restatable["build"].warehouse) == before


def test_restated_values_with_the_same_count_stop_too(restatable):
    cutoff = _event_cutoff(restatable["original"])
    _rewrite_events(
        restatable,
        "select event_id, account_id, user_id, occurred_at, "
        f"case when occurred_at < date '{cutoff}' - interval 30 day and event_id like '%7' "
        "then 'restated_feature' else feature end as feature, session_id from events",
    )
    stopped = run_dbt(restatable["root"], restatable["raw"], extra_args=SELECTED)
    _stopped(stopped, "usage_events (rows dated before", "(the same count, other values)")


def test_a_moved_folder_with_the_same_history_goes_on_incrementally(books, restatable):
    """The same export in another folder (a dated export folder, a copy): nothing the
    incremental tables consumed differs, so the run goes on and records the new folder."""
    moved = _copy_book(books["a"], restatable["root"] / "moved")
    shutil.copyfile(restatable["original"], moved / "usage_events.parquet")
    build = build_ok(restatable["root"], moved, extra_args=SELECTED)
    assert "the raw source moved from" in " ".join(build.output.split())
    state = build.query("select distinct raw_source, status from audit.audit_incremental_state")
    assert state == [(str(moved), "complete")]


def test_a_warehouse_without_a_record_stops(books, restatable):
    """A warehouse built before the check existed: incremental tables and no record."""
    root = restatable["root"] / "legacy"
    root.mkdir()
    shutil.copyfile(restatable["build"].warehouse, root / "warehouse.duckdb")
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute("drop table audit.audit_incremental_state")
    stopped = run_dbt(root, books["a"], extra_args=SELECTED)
    _stopped(stopped, "no record of the raw data they were built from")


def test_a_partial_full_refresh_is_not_trusted(books, restatable):
    """A --full-refresh that rebuilt only some incremental models leaves the others with older
    data: the next run stops, naming them."""
    root = restatable["root"] / "partial"
    root.mkdir()
    shutil.copyfile(restatable["build"].warehouse, root / "warehouse.duckdb")
    build_ok(
        root,
        books["b"],
        extra_args=["--select", "base_raw__usage_events", "--full-refresh", *SELECTED[-3:]],
    )
    stopped = run_dbt(root, books["b"], extra_args=SELECTED)
    _stopped(stopped, "did not rebuild the incremental models", "int_usage_sessions_aggregated")
