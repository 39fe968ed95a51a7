"""An incremental run gives exactly the same marts as a full rebuild on the same data.

A small generated book is built once; then the benchmark's own `append_one_day` adds one more
day (the last day's usage events shifted by a day, a new line for a paying account, a return,
a line ending) and `dbt build` runs again on the same warehouse, so the incremental usage models
only process the new days. Separately the appended book is built from scratch into a fresh
warehouse. Every table of the revenue and health schemas, and every incremental model, must
hold the same rows in both warehouses. The builds select those models and what is upstream of
them (not the audit, calibration or test-fixture models), to stay quick.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import MODELS_ONLY, Build, build_ok, generate_book
from nrr_engine.benchmark import append_one_day

COMPARED_SCHEMAS = ("revenue", "health")
# what is compared and everything upstream of it (not the audit, calibration or fixture models)
SELECTED = [
    "--select",
    *(f"+config.schema:{schema}" for schema in COMPARED_SCHEMAS),
    "+config.materialized:incremental",
]
# the incremental build also runs the data tests of what it builds (only those: cautious), unit
# tests do not depend on the data and run elsewhere, as do the data tests of the other builds
WITH_DATA_TESTS = [
    *SELECTED,
    "--indirect-selection",
    "cautious",
    "--exclude-resource-type",
    "unit_test",
]
WITHOUT_TESTS = [*SELECTED, "--exclude-resource-type", "test", "unit_test"]


def _manifest_nodes(work_dir: Path) -> dict:
    return json.loads((work_dir / "target" / "manifest.json").read_text())["nodes"]


def _run_results(work_dir: Path) -> dict[str, dict]:
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"]: r for r in results}


def _incremental_models(work_dir: Path) -> dict[str, str]:
    """unique_id -> schema.table of every incremental model."""
    return {
        uid: f"{node['schema']}.{node['alias'] or node['name']}"
        for uid, node in _manifest_nodes(work_dir).items()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    }


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    raw = generate_book(root / "raw", 150, 14, seed=11)
    appended = append_one_day(raw, root / "raw_plus_1d")
    # the same warehouse: the original book, then the book with one more day
    build_ok(root / "incremental", raw, extra_args=WITHOUT_TESTS)
    incremental = build_ok(root / "incremental", Path(appended.target), extra_args=WITH_DATA_TESTS)
    # a fresh warehouse: the book with one more day, from scratch
    full = build_ok(root / "full", Path(appended.target), extra_args=WITHOUT_TESTS)
    return {
        "root": root,
        "appended": appended,
        "incremental": incremental,
        "full": full,
        "incremental_dir": root / "incremental",
        "full_dir": root / "full",
    }


def _tables(build: Build) -> list[str]:
    schemas = ", ".join(f"'{s}'" for s in COMPARED_SCHEMAS)
    rows = build.query(
        "select table_schema || '.' || table_name from information_schema.tables "
        f"where table_schema in ({schemas}) and table_type = 'BASE TABLE' order by 1"
    )
    return [r[0] for r in rows]


def _same_value(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return a == b


def _differences(table: str, left: list[tuple], right: list[tuple]) -> list[str]:
    if len(left) != len(right):
        return [f"{table}: {len(left)} rows incremental vs {len(right)} rows full rebuild"]
    found = []
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        if len(a) != len(b) or not all(_same_value(x, y) for x, y in zip(a, b, strict=True)):
            found.append(f"{table} row {i}: incremental {a} != full rebuild {b}")
            if len(found) >= 3:
                break
    return found


def test_appended_day_is_loaded(books):
    new_day = dt.date.fromisoformat(books["appended"].new_day)
    assert books["appended"].appended_events > 0
    kinds = {c["kind"] for c in books["appended"].line_changes}
    assert kinds == {"line_added_paying_account", "line_ended", "line_added_lapsed_account"}
    for name in ("incremental", "full"):
        build = books[name]
        as_of = build.query("select as_of_date from intermediate.int_as_of_date_resolved")
        assert as_of == [(new_day,)], name
    # the incremental models hold the new day
    for uid, relation in _incremental_models(books["incremental_dir"]).items():
        columns = [
            r[0]
            for r in books["incremental"].query(
                "select column_name from information_schema.columns "
                "where table_schema || '.' || table_name = ?",
                [relation],
            )
        ]
        if "usage_date" in columns:
            latest = books["incremental"].query(f"select max(usage_date) from {relation}")
            assert latest == [(new_day,)], uid


def test_incremental_models_took_the_incremental_path(books):
    """The second build of the same warehouse compiled the is_incremental() branch: its SQL
    differs from the full rebuild's."""
    incremental_models = _incremental_models(books["incremental_dir"])
    assert incremental_models, "the project has no incremental model"
    inc = _run_results(books["incremental_dir"])
    full = _run_results(books["full_dir"])
    for uid in incremental_models:
        assert inc[uid]["status"] == "success", uid
        assert inc[uid]["compiled_code"] != full[uid]["compiled_code"], uid


def test_incremental_run_equals_full_rebuild(books):
    incremental, full = books["incremental"], books["full"]
    tables = _tables(incremental)
    assert tables == _tables(full)
    assert any(t.startswith("revenue.") for t in tables)
    tables += sorted(_incremental_models(books["incremental_dir"]).values())
    problems = []
    for table in tables:
        sql = f"select * from {table} order by all"
        problems += _differences(table, incremental.query(sql), full.query(sql))
    assert not problems, "\n".join(problems)


def _copy_book(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file():
            shutil.copyfile(path, target / path.name)
    return target


def test_event_resent_from_an_earlier_day_is_rejected_not_counted_twice(books):
    """An incremental run re-checks only the latest days of raw events: an event re-sent on the
    new day under an event_id accepted weeks before must not be accepted a second time. It is
    quarantined with its reason, and the row counts still reconcile."""
    root = books["root"] / "resent"
    raw = Path(books["appended"].source)
    resent = _copy_book(Path(books["appended"].target), root / "raw_resent")
    new_day = books["appended"].new_day
    events = resent / "usage_events.parquet"
    with duckdb.connect() as con:
        old_event_id = con.execute(
            f"select min(event_id) from read_parquet('{events}') "
            f"where occurred_at < date '{new_day}' - interval 30 day"
        ).fetchone()[0]
        con.execute(
            f"copy (select * from read_parquet('{events}') union all "
            f"select event_id, account_id, user_id, timestamp '{new_day} 10:00:00', feature, "
            f"'resent-session' from read_parquet('{events}') where event_id = '{old_event_id}') "
            f"to '{root / 'events.parquet'}' (format parquet)"
        )
    shutil.move(root / "events.parquet", events)
    staging_and_audit = [*MODELS_ONLY, "--select", "+audit_row_reconciliation"]
    build_ok(root / "warehouse", raw, extra_args=staging_and_audit)
    build = build_ok(root / "warehouse", resent, extra_args=staging_and_audit)

    accepted = build.query(
        "select count(*) from staging.stg_raw__usage_events where event_id = ?", [old_event_id]
    )
    assert accepted == [(1,)]
    rejected = build.query(
        "select reason from audit.audit_rejected_rows "
        "where source_table = 'usage_events' and record_id = ?",
        [old_event_id],
    )
    assert rejected == [("event_id was already loaded from an earlier day",)]
    reconciliation = build.dicts(
        "select * from audit.audit_row_reconciliation where source_table = 'usage_events'"
    )[0]
    assert reconciliation["raw_rows"] == (
        reconciliation["accepted_rows"]
        + reconciliation["rejected_rows"]
        + reconciliation["duplicates_collapsed"]
    )
