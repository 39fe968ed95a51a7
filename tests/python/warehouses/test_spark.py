"""The project on Spark (dbt-spark's `session` method, a local pyspark), compared with DuckDB.

Spark lives in its own environment, .venv-spark (`make spark-setup`; `make test` makes it), so
this file calls that environment's `nrr-load-raw` and `dbt` as subprocesses, as a user would.
Each build gets its own Spark warehouse folder and Derby metastore (NRR_SPARK_DIR); one Spark
JVM at a time (Derby admits one).

In `make test`: the tiny book loaded with `nrr-load-raw --target spark`, its feedback corpus
built (`--selector feedback_corpus_with_its_parents`) and classified on Spark
(`nrr-calibrate-warehouse --target spark --step feedback`: the health score's ticket and review
tone read it), then built with `dbt build --selector compared_marts_with_their_tests` (the
revenue, health, intervention, win-back, diagnosis, community and onboarding marts but the
scorecard, their upstream models and seeds, and the marts' data tests: selectors.yml),
every one of those marts compared row for row with the DuckDB build of the same book (numbers
within a cent, the same movement labels), and `dbt docs generate` run on that warehouse. One
Spark build: a session start is about 10 s and each model or test 0.3-4 s, so the whole project
(about 500 nodes) is left to `make test-spark`.

Behind `make test-spark` (NRR_SPARK_FULL=1): the tiny book built whole in the documented steps
(plain build, `--step feedback`, `--selector after_feedback_classification`: every model, seed
and data test but the calibration marts); a generated book built on Spark in the same steps and
compared the same way, then one more day appended and built incrementally on the same Spark
warehouse, compared again with DuckDB run incrementally on its own warehouse the same way, and
the calibration command (`--step calibration`) run on Spark.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import MODELS_ONLY, REPO, TINY_BOOK, build_ok, generate_book
from nrr_engine.benchmark import append_one_day
from warehouses.conftest import compare_rows, mart_relations

SPARK_BIN = REPO / ".venv-spark" / "bin"
COMPARED_FOLDERS = (
    "revenue", "health", "interventions", "winback", "diagnosis", "community", "onboarding",
)  # fmt: skip
# marts of those folders that read the calibration marts: no Spark build here makes those
NOT_BUILT_ON_SPARK = {("diagnosis", "fct_key_metrics_scorecard")}
FULL = bool(os.environ.get("NRR_SPARK_FULL"))
# make test builds the compared marts and what they read; make test-spark the whole project
TINY_SELECTOR = [] if FULL else ["--selector", "compared_marts_with_their_tests"]
TINY_SELECTION = [*TINY_SELECTOR, "--exclude-resource-type", "unit_test"]
# what the tiny build needs before the feedback classification, and what it builds after it
TINY_BEFORE = [] if FULL else ["--selector", "feedback_corpus_with_its_parents"]
AFTER_CLASSIFICATION = ["--selector", "after_feedback_classification"]
TINY_AFTER = AFTER_CLASSIFICATION if FULL else TINY_SELECTOR
NO_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]

pytestmark = pytest.mark.skipif(
    not (SPARK_BIN / "dbt").exists(),
    reason="no Spark environment (.venv-spark): run `make spark-setup` (`make test` does)",
)


@dataclass
class SparkBuild:
    """A Spark warehouse folder and the dbt invocations made on it."""

    work_dir: Path
    raw_path: Path
    outputs: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    # relations already exported since the last command that may have changed the warehouse:
    # an export starts a Spark session (about 30 s), so a test reuses what another exported
    exported: dict[tuple[str, str], tuple] = field(default_factory=dict)

    @property
    def spark_dir(self) -> Path:
        return self.work_dir / "spark"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DBT_PROFILES_DIR": str(REPO / "profiles"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "NRR_TARGET": "spark",
            "NRR_SPARK_DIR": str(self.spark_dir),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "NRR_RAW_PATH": str(self.raw_path),
        }

    def run(self, label: str, args: list[str], timeout: int = 1800) -> subprocess.CompletedProcess:
        if label not in ("export", "docs"):  # these only read the warehouse
            self.exported.clear()
        started = time.monotonic()
        result = subprocess.run(
            args, cwd=REPO, env=self.env(), capture_output=True, text=True, check=False,
            timeout=timeout,
        )  # fmt: skip
        self.seconds[label] = round(time.monotonic() - started, 1)
        self.outputs.append(result.stdout + result.stderr)
        # Spark's own log lines (WARN ...) would bury dbt's summary
        lines = [
            line for line in (result.stdout + result.stderr).splitlines() if " WARN " not in line
        ]
        assert result.returncode == 0, f"{label} failed:\n" + "\n".join(lines)[-6000:]
        return result

    def load_raw(self, raw_path: Path) -> None:
        self.raw_path = raw_path
        self.run("load_raw", [str(SPARK_BIN / "nrr-load-raw"), "--target", "spark",
                              "--raw-path", str(raw_path)])  # fmt: skip

    def calibrate(self, label: str, step: str) -> None:
        """nrr-calibrate-warehouse --target spark --step <step>: the Python models' tables."""
        self.run(label, [str(SPARK_BIN / "nrr-calibrate-warehouse"), "--target", "spark",
                         "--step", step])  # fmt: skip

    def dbt(self, label: str, command: str = "build", extra_args: list[str] | None = None):
        args = [
            str(SPARK_BIN / "dbt"), *command.split(),
            "--target-path", str(self.work_dir / "target"),
            "--log-path", str(self.work_dir / "logs"),
        ]  # fmt: skip
        return self.run(label, args + (extra_args or []))

    def export(self, relations: list[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
        """(column names, rows) of each relation, read from Spark through parquet files."""
        missing = [relation for relation in relations if relation not in self.exported]
        if missing:
            out = self.work_dir / "export"
            names = [f"{schema}.{table}" for schema, table in missing]
            self.run("export", [str(SPARK_BIN / "python"), "-m", "nrr_engine.warehouses.spark",
                                "export", "--out", str(out), *names])  # fmt: skip
            for relation, name in zip(missing, names, strict=True):
                table = pq.read_table(out / f"{name}.parquet")
                self.exported[relation] = (
                    table.column_names,
                    [tuple(r.values()) for r in table.to_pylist()],
                )
        return {relation: self.exported[relation] for relation in relations}


def duckdb_rows(warehouse: Path, schema: str, table: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(f"select * from {schema}.{table}")
        return [d[0] for d in cursor.description], cursor.fetchall()


def mart_differences(duck_warehouse: Path, duck_manifest: Path, spark: SparkBuild) -> dict:
    """Per mart of COMPARED_FOLDERS, what differs between the DuckDB and the Spark build."""
    marts = [
        m for m in mart_relations(duck_manifest, COMPARED_FOLDERS) if m not in NOT_BUILT_ON_SPARK
    ]
    assert len(marts) >= 10, marts
    assert ("interventions", "fct_intervention_episodes") in marts, marts
    exported = spark.export(marts)
    problems = {}
    for relation in marts:
        duck_names, duck = duckdb_rows(duck_warehouse, *relation)
        spark_names, rows = exported[relation]
        assert [n.lower() for n in spark_names] == [n.lower() for n in duck_names], relation
        found = compare_rows(duck_names, duck, rows, skip=set())
        if found:
            problems[".".join(relation)] = found[:5]
    return problems


@pytest.fixture(scope="module")
def spark_tiny(tmp_path_factory) -> SparkBuild:
    build = SparkBuild(tmp_path_factory.mktemp("spark_tiny"), TINY_BOOK)
    build.load_raw(TINY_BOOK)
    build.dbt("build", extra_args=[*TINY_BEFORE, *NO_UNIT_TESTS])
    build.calibrate("classify", "feedback")
    build.dbt("after_classification", extra_args=[*TINY_AFTER, *NO_UNIT_TESTS])
    print(f"Spark tiny book: {build.seconds}")
    return build


def test_tiny_book_builds_on_spark_with_its_data_tests(spark_tiny):
    first, output = spark_tiny.outputs[1], spark_tiny.outputs[-1]
    built = 0
    for log in (first, output):
        # every node passed (the tiny book's one plausibility warning is DuckDB's too)
        summary = re.search(r"Done\. PASS=(\d+) WARN=(\d+) ERROR=0 SKIP=0 ", log)
        assert summary, log[-3000:]
        built += int(summary[1]) + int(summary[2])
    # the selection really built something (the whole project is about 500 nodes)
    assert built >= (400 if FULL else 150), built
    # data tests ran (not only models); the Python models' tables came from the command
    assert " PASS " in output and "data test" in output
    assert "py_feedback_texts_classified" in output
    assert "feedback.py_feedback_texts_classified:" in spark_tiny.outputs[2]


def test_tiny_book_marts_match_duckdb(spark_tiny, tiny_build):
    manifest = tiny_build.warehouse.parent / "target" / "manifest.json"
    assert mart_differences(tiny_build.warehouse, manifest, spark_tiny) == {}


def test_docs_generate_on_spark(spark_tiny):
    """The catalog of the tiny book's Spark warehouse (no second build: the same tables), for
    the build's selection. `--no-compile`: the build just compiled every selected node into the
    same target folder, so docs generate only reads the catalog instead of compiling it all
    again."""
    spark_tiny.dbt("docs", "docs generate", extra_args=[*TINY_SELECTOR, "--no-compile"])
    catalog = json.loads((spark_tiny.work_dir / "target" / "catalog.json").read_text())
    for model in ("fct_account_arr_monthly", "fct_intervention_episodes"):
        assert f"model.nrr_engine.{model}" in catalog["nodes"], sorted(catalog["nodes"])[:20]
    columns = catalog["nodes"]["model.nrr_engine.fct_account_arr_monthly"]["columns"]
    assert "movement_type" in {name.lower() for name in columns}


def test_movement_labels_are_the_same(spark_tiny, tiny_build):
    """The movement labels themselves (not only the rows): every type the tiny book plants."""
    relation = ("revenue", "fct_account_arr_monthly")
    names, rows = spark_tiny.export([relation])[relation]
    position = [n.lower() for n in names].index("movement_type")
    spark_labels = sorted({row[position] for row in rows if row[position] is not None})
    duck_labels = sorted(
        {r[0] for r in tiny_build.query(
            "select distinct movement_type from revenue.fct_account_arr_monthly "
            "where movement_type is not null")}
    )  # fmt: skip
    assert spark_labels == duck_labels
    assert len(spark_labels) >= 5, spark_labels  # new, expansion, contraction, churn, reactivation


# --- make test-spark: a generated book, an incremental run, the calibration command ----------


@pytest.fixture(scope="module")
def spark_books(tmp_path_factory):
    root = tmp_path_factory.mktemp("spark_full")
    raw = generate_book(root / "raw", 200, 24, seed=3)
    appended = append_one_day(raw, root / "raw_plus_1d")
    return {"root": root, "raw": raw, "appended": Path(appended.target)}


@pytest.mark.skipif(
    not os.environ.get("NRR_SPARK_FULL"),
    reason="the full Spark comparison runs with `make test-spark` (NRR_SPARK_FULL=1)",
)
def test_generated_book_and_an_incremental_day_match_duckdb(spark_books):
    root = spark_books["root"]
    spark = SparkBuild(root / "spark", spark_books["raw"])
    spark.load_raw(spark_books["raw"])
    spark.dbt("build", extra_args=NO_UNIT_TESTS)
    spark.calibrate("classify", "feedback")
    spark.dbt("after_classification", extra_args=[*AFTER_CLASSIFICATION, *NO_UNIT_TESTS])
    duck = build_ok(root / "duck", spark_books["raw"], extra_args=MODELS_ONLY)
    manifest = root / "duck" / "target" / "manifest.json"
    assert mart_differences(duck.warehouse, manifest, spark) == {}

    # one more day, built incrementally on the same Spark warehouse
    spark.load_raw(spark_books["appended"])
    spark.dbt("incremental", extra_args=NO_UNIT_TESTS)
    spark.calibrate("classify_incremental", "feedback")
    spark.dbt(
        "incremental_after_classification", extra_args=[*AFTER_CLASSIFICATION, *NO_UNIT_TESTS]
    )
    # DuckDB the same way, incrementally on its own warehouse: an incremental run keeps what
    # older snapshots recorded (days_to_renewal of a term the new day ends: docs/definitions.md,
    # "Incremental runs"), so a full build of the longer book is not the same tables
    duck_next = build_ok(root / "duck", spark_books["appended"], extra_args=MODELS_ONLY)
    assert mart_differences(duck_next.warehouse, manifest, spark) == {}

    # the calibration command, then the calibration marts
    spark.calibrate("calibrate", "calibration")
    spark.dbt("calibration", extra_args=["--selector", "calibration_after_command"])
    print(f"Spark generated book: {spark.seconds}")
