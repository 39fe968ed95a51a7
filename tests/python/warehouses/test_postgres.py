"""The project on a real PostgreSQL server: the same marts as on DuckDB.

A throwaway server (or the one NRR_PG_HOST names) gets one database per build: the raw folder
loaded with `nrr-load-raw`, then the documented steps: `dbt build` with its data tests (up to
the feedback corpus: the health score reads the feedback classification), `nrr-calibrate-warehouse
--step feedback`, `dbt build --selector after_feedback_classification` (the health score and what
reads it), and for the generated book `--step calibration` and the calibration marts. The tiny
book and a small generated book are built on both warehouses, and every public revenue, health,
win-back and intervention mart must agree row for row (numbers within a cent, labels and bands
exactly); the feedback and calibration marts too, after `nrr-calibrate-warehouse` replaced the
Python models. The
independent plain-Python reference checks the Postgres revenue marts, bad raw rows are
quarantined with their reasons (postgres__safe_cast, concat_present), and `dbt docs generate`
works on the target.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_bad_input import BAD_ROWS, DUPLICATED_ROWS, append_lines
from test_marts_match_reference import EXACT, MONEY, RATIO_TOLERANCE, assert_rows_match

from conftest import MODELS_ONLY, REPO, TINY_BOOK, Build, build_ok, generate_book
from reference import arr_reference as ref

from .conftest import PostgresBuild, compare_rows, mart_relations, postgres_build_ok

CALIBRATE = Path(sys.executable).parent / "nrr-calibrate-warehouse"
COMPARED_FOLDERS = ("revenue", "health", "winback", "interventions")


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> Path:
    """200 accounts over 24 months (parquet): enough for every mart, quick on one thread."""
    return generate_book(tmp_path_factory.mktemp("pg_book") / "raw", 200, 24, seed=3)


@pytest.fixture(scope="module")
def duck_tiny(tiny_build) -> Build:
    # the suite's session build of the tiny book (made once, read only), which the Spark
    # comparison reads too: a build of its own here was the same tables a minute later
    return tiny_build


@pytest.fixture(scope="module")
def duck_small(tmp_path_factory, small_book) -> Build:
    # every model, the feedback classification too (a plain DuckDB build leaves it out)
    return build_ok(
        tmp_path_factory.mktemp("duck_small"),
        small_book,
        extra_args=[*MODELS_ONLY, "--select", "fqn:*"],
    )


def calibrate(build: PostgresBuild, step: str) -> None:
    result = subprocess.run(
        [str(CALIBRATE), "--target", "postgres", "--step", step],
        env={**os.environ, **build.env()}, capture_output=True, text=True, check=False,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def build_selector(build: PostgresBuild, selector: str, extra_args: list[str] | None = None):
    """`dbt build --selector <selector>`; its run results kept as run_results_<selector>.json."""
    result = build.dbt("build", extra_args=[*(extra_args or []), "--selector", selector])
    assert result.returncode == 0, result.output[-6000:]
    target = build.work_dir / "target"
    shutil.copy(target / "run_results.json", target / f"run_results_{selector}.json")
    return result


@pytest.fixture(scope="module")
def pg_tiny(postgres_server, tmp_path_factory) -> PostgresBuild:
    """The tiny book: the plain build (its log and run results kept), the feedback
    classification, then the health score and what reads it, with their data tests."""
    build = postgres_build_ok(postgres_server, tmp_path_factory.mktemp("pg_tiny"), TINY_BOOK)
    target = build.work_dir / "target"
    shutil.copy(target / "run_results.json", target / "run_results_build.json")
    calibrate(build, "feedback")
    build_selector(build, "after_feedback_classification")
    return build


@pytest.fixture(scope="module")
def pg_small(postgres_server, tmp_path_factory, small_book) -> PostgresBuild:
    """The generated book on Postgres, then the calibration command and the calibration marts,
    in the documented order. Models only: the tiny book's Postgres build runs every data test,
    and this one exists to compare figures (its data tests took about 150 s of the file)."""
    build = postgres_build_ok(
        postgres_server, tmp_path_factory.mktemp("pg_small"), small_book, extra_args=MODELS_ONLY
    )
    calibrate(build, "feedback")
    build_selector(build, "after_feedback_classification", MODELS_ONLY)
    calibrate(build, "calibration")
    build_selector(build, "calibration_after_command")
    return build


def duck_rows(build: Build, schema: str, table: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(build.warehouse), read_only=True) as con:
        cursor = con.execute(f"select * from {schema}.{table}")
        return [d[0] for d in cursor.description], cursor.fetchall()


def assert_marts_match(duck: Build, pg: PostgresBuild, folders: tuple[str, ...]) -> int:
    manifest = duck.warehouse.parent / "target" / "manifest.json"
    relations = mart_relations(manifest, folders)
    assert len(relations) >= len(folders)
    problems, compared = {}, 0
    for schema, table in relations:
        names, rows = duck_rows(duck, schema, table)
        other = pg.query(f"select {', '.join(names)} from {schema}.{table}")
        found = compare_rows(names, rows, other, skip=set())
        compared += len(rows)
        if found:
            problems[f"{schema}.{table}"] = found[:3] + [f"... {len(found)} in all"]
    assert not problems, problems
    return compared


# --- the builds -----------------------------------------------------------------------------


def test_the_build_log_names_the_skipped_python_models(pg_tiny):
    line = next(
        (ln for ln in pg_tiny.output.splitlines() if "Python models skipped on postgres" in ln),
        None,
    )
    assert line is not None, pg_tiny.output[-3000:]
    for name in ("py_health_backtest", "py_logo_survival", "nrr-calibrate-warehouse"):
        assert name in line


def test_the_build_ran_the_data_tests(pg_tiny):
    tests = []
    for name in ("build", "after_feedback_classification"):
        results = json.loads((pg_tiny.work_dir / "target" / f"run_results_{name}.json").read_text())
        found = [r for r in results["results"] if r["unique_id"].startswith("test.")]
        assert found, name
        tests += found
    assert len(tests) > 200
    assert all(r["status"] in ("pass", "warn") for r in tests)
    # the health score's tests ran after the classification, not in the plain build
    assert any("fct_account_health" in r["unique_id"] for r in found)


def test_selecting_a_python_model_stops_with_what_to_do(pg_tiny):
    failed = pg_tiny.dbt("run", extra_args=["--select", "py_logo_survival"])
    assert failed.returncode != 0
    assert "runs no dbt Python models" in failed.output
    assert "nrr-calibrate-warehouse --target postgres" in failed.output


# --- the same numbers -----------------------------------------------------------------------


def test_tiny_book_marts_match_duckdb(duck_tiny, pg_tiny):
    assert assert_marts_match(duck_tiny, pg_tiny, COMPARED_FOLDERS) > 0


def test_an_incremental_run_keeps_the_same_marts(duck_tiny, pg_tiny):
    """A second run on the same raw data: the incremental models (delete+insert through
    incremental_by_day_config) re-read their last days, the incremental-state check (its
    portable md5 fingerprint) lets the run go on, and every mart still matches DuckDB."""
    again = pg_tiny.dbt("run")
    assert again.returncode == 0, again.output[-6000:]
    assert "incremental model staging.base_raw__usage_events" in again.output
    health = pg_tiny.dbt("run", extra_args=["--selector", "after_feedback_classification"])
    assert health.returncode == 0, health.output[-6000:]
    assert "incremental model intermediate.int_health_sentiment_measured" in health.output
    assert assert_marts_match(duck_tiny, pg_tiny, COMPARED_FOLDERS) > 0


def test_generated_book_marts_match_duckdb(duck_small, pg_small):
    assert assert_marts_match(duck_small, pg_small, COMPARED_FOLDERS) > 10_000


def test_calibration_marts_match_duckdb(duck_small, pg_small):
    assert assert_marts_match(duck_small, pg_small, ("calibration",)) > 0


def test_feedback_marts_match_duckdb(duck_small, pg_small):
    """The feedback marts, built after nrr-calibrate-warehouse classified the corpus."""
    assert assert_marts_match(duck_small, pg_small, ("feedback",)) > 0
    # the comparison has figures to compare: the book is above the minimums
    assert (
        pg_small.query(
            "select count(*) from calibration.fct_logo_survival where status = 'reported'"
        )[0][0]
        > 0
    )


def test_diagnosis_community_and_onboarding_marts_match_duckdb(duck_small, pg_small):
    """The marts of this round's domains read the revenue, health and calibration marts; built
    after every step, they agree with DuckDB row for row."""
    assert assert_marts_match(duck_small, pg_small, ("diagnosis", "community", "onboarding")) > 0


def test_the_comparison_notices_a_difference():
    names = ["account_id", "arr", "band"]
    duck = [("A1", 100.0, "healthy"), ("A2", 50.0, "at_risk")]
    assert (
        compare_rows(names, duck, [("A2", 50.004, "at_risk"), ("A1", 100.0, "healthy")], set())
        == []
    )
    assert compare_rows(names, duck, [("A1", 100.02, "healthy"), ("A2", 50.0, "at_risk")], set())
    assert compare_rows(names, duck, [("A1", 100.0, "healthy"), ("A2", 50.0, "critical")], set())
    assert compare_rows(names, duck, duck[:1], set())


@pytest.mark.parametrize("book", ["tiny", "small"])
def test_revenue_marts_match_the_independent_reference(book, pg_tiny, pg_small):
    build = pg_tiny if book == "tiny" else pg_small
    raw = ref.load_book(build.raw_path)
    as_of = ref.default_as_of_date(raw)
    assert build.query("select as_of_date from intermediate.int_as_of_date_resolved") == [(as_of,)]
    assert_rows_match(
        build.dicts("select * from revenue.fct_account_arr_monthly"),
        ref.movements(raw, as_of),
        key=("account_id", "month"),
        columns={"arr": MONEY, "previous_arr": MONEY, "movement_arr": MONEY,
                 "movement_type": EXACT},
    )  # fmt: skip
    for grain in ("month", "quarter", "year"):
        amounts = ["starting", "new", "reactivation", "expansion", "contraction", "churned",
                   "ending"]  # fmt: skip
        counts = ["starting", "new", "reactivated", "expanded", "contracted", "churned", "ending"]
        assert_rows_match(
            build.dicts(f"select * from revenue.fct_arr_waterfall where period_grain = '{grain}'"),
            ref.waterfall(raw, as_of, grain),
            key=("period_start",),
            columns={f"{a}_arr": MONEY for a in amounts}
            | {f"{c}_customers": EXACT for c in counts},
        )
    for window in (12, 3):
        assert_rows_match(
            build.dicts(
                f"select * from revenue.fct_net_revenue_retention where window_months = {window}"
            ),
            ref.retention(raw, as_of, window),
            key=("as_of_month",),
            columns={"cohort_customers": EXACT, "retained_customers": EXACT,
                     "starting_arr": MONEY, "ending_arr": MONEY, "nrr": RATIO_TOLERANCE,
                     "grr": RATIO_TOLERANCE, "logo_retention": RATIO_TOLERANCE},
        )  # fmt: skip


# --- bad input, docs ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_bad(postgres_server, tmp_path_factory) -> PostgresBuild:
    raw = tmp_path_factory.mktemp("pg_bad") / "raw"
    shutil.copytree(TINY_BOOK, raw)
    for table, _record_id, line, _reason in BAD_ROWS:
        append_lines(raw, table, line)
    for table, line in DUPLICATED_ROWS:
        append_lines(raw, table, line)
    return postgres_build_ok(
        postgres_server, tmp_path_factory.mktemp("pg_bad_build"), raw,
        dbt_vars={"max_rejected_share": 1},
        extra_args=["--select", "+audit_rejected_rows", "+audit_row_reconciliation",
                    *MODELS_ONLY],
    )  # fmt: skip


def test_bad_rows_are_quarantined_with_their_reasons(pg_bad):
    """Values that do not cast (`ten`, 2024-13-45) reach staging as text and are rejected, not
    a failed load or build: postgres__safe_cast yields null for them."""
    missing = []
    for table, record_id, _line, reason in BAD_ROWS:
        found = pg_bad.query(
            "select reason from audit.audit_rejected_rows where source_table = %s "
            "and record_id = %s",
            [table, record_id],
        )
        if not any(reason in row[0] for row in found):
            missing.append((table, record_id, reason, found))
    assert not missing, missing


def test_one_broken_rule_among_many_gives_its_reason(pg_bad):
    """Every rejected row has a reason, though most of its rules hold (null parts): Postgres
    concatenates with `||`, null as soon as one part is, so a concat over the parts without
    concat_present would leave these reasons null and pass the rows."""
    rows = pg_bad.query("select count(*), count(reason) from audit.audit_rejected_rows")
    assert rows[0][0] >= len(BAD_ROWS) and rows[0][0] == rows[0][1]
    # a row breaking two rules names both, separated by '; '
    quantity = pg_bad.query("select reason from audit.audit_rejected_rows where record_id = 'L96'")[
        0
    ][0]
    assert quantity.startswith("quantity does not cast to number; quantity is missing"), quantity


def without_comments(sql: str) -> str:
    """SQL without its Jinja comments and `--` comments."""
    return re.sub(r"--[^\n]*", "", re.sub(r"\{#.*?#\}", "", sql, flags=re.S))


def test_no_concat_ws_in_the_sql():
    """concat_ws is null on Snowflake when one part is null: rejection reasons go through
    concat_present."""
    offenders = [
        str(path.relative_to(REPO))
        for folder in ("models", "macros")
        for path in (REPO / folder).rglob("*.sql")
        if re.search(r"\bconcat_ws\s*\(", without_comments(path.read_text()))
    ]
    assert offenders == []


def test_bad_input_row_counts_reconcile(pg_bad):
    raw = pg_bad.raw_path
    for row in pg_bad.dicts("select * from audit.audit_row_reconciliation"):
        with (raw / f"{row['source_table']}.csv").open() as handle:
            raw_rows = sum(1 for _ in csv.DictReader(handle))
        assert row["raw_rows"] == raw_rows, row
        assert raw_rows == row["accepted_rows"] + row["rejected_rows"] + row["duplicates_collapsed"]


def test_docs_generate_on_postgres(pg_tiny):
    docs = pg_tiny.dbt("docs generate")
    assert docs.returncode == 0, docs.output[-3000:]
    catalog = json.loads((pg_tiny.work_dir / "target" / "catalog.json").read_text())
    assert "model.nrr_engine.fct_account_arr_monthly" in catalog["nodes"]
    columns = catalog["nodes"]["model.nrr_engine.fct_account_arr_monthly"]["columns"]
    assert "movement_type" in columns


def test_a_missing_required_file_stops_the_load(postgres_server, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(TINY_BOOK, raw)
    (raw / "accounts.csv").unlink()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "nrr-load-raw"), "--target", "postgres",
         "--raw-path", str(raw)],
        env={**os.environ, **postgres_server.env()}, capture_output=True, text=True,
        check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode != 0
    assert "raw table 'accounts' is required" in result.stderr + result.stdout
