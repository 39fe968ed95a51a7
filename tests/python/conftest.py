"""Shared fixtures: build the dbt project into throwaway DuckDB warehouses.

Every build gets its own warehouse file, target and log folders, so builds never share state.
dbt runs as a subprocess: one invocation at a time, never two in this process. `make test` runs
pytest on two worker processes (pytest-xdist, `--dist loadfile`), each with its own builds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
TINY_BOOK = REPO / "tests" / "python" / "fixtures" / "tiny_book"
PLAYBOOK_CSV = REPO / "tests" / "data" / "external" / "mrr_playbook" / "subscription_periods.csv"


# For builds that exist to compare data (a past as_of_date, inflated events, a reactivation
# window): the data and unit tests of the same project run in the other builds.
MODELS_ONLY = ["--exclude-resource-type", "test", "unit_test"]


@dataclass
class Build:
    """A finished dbt invocation and the warehouse it wrote."""

    warehouse: Path
    raw_path: Path
    returncode: int
    output: str

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def dicts(self, sql: str) -> list[dict]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            cursor = con.execute(sql)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def run_dbt(
    work_dir: Path,
    raw_path: Path,
    command: str = "build",
    dbt_vars: dict | None = None,
    extra_args: list[str] | None = None,
    unit_tests: bool = False,
    target: str | None = None,
    extra_env: dict | None = None,
) -> Build:
    """Run `dbt <command>` on raw_path into work_dir/warehouse.duckdb.

    dbt unit tests read only their own fixture rows, never the book, so they run in the builds
    that ask for them (`unit_tests=True`: the tiny book's, and the Stripe book's, whose mapping
    models exist only in stripe mode) instead of in every build of the suite.

    `target` picks another output of profiles/profiles.yml (NRR_TARGET, e.g. `postgres`) and
    `extra_env` adds environment variables (its connection settings); such a build writes into that
    warehouse, not into work_dir/warehouse.duckdb (tests/python/warehouses/conftest.py)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    warehouse = work_dir / "warehouse.duckdb"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO / "profiles"),
        "NRR_DUCKDB_PATH": str(warehouse),
        "NRR_DUCKDB_TEMP_DIR": str(work_dir / "duckdb_tmp"),
        "NRR_RAW_PATH": str(raw_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **({"NRR_TARGET": target} if target else {}),
        **(extra_env or {}),
    }
    args = [
        str(DBT),
        *command.split(),  # `docs generate` too
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    args += extra_args or []
    if command in ("build", "test") and not unit_tests and "--exclude-resource-type" not in args:
        args += ["--exclude-resource-type", "unit_test"]
    result = subprocess.run(
        args, cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    return Build(warehouse, Path(raw_path), result.returncode, result.stdout + result.stderr)


def build_ok(work_dir: Path, raw_path: Path, **kwargs) -> Build:
    build = run_dbt(work_dir, raw_path, **kwargs)
    assert build.returncode == 0, build.output[-6000:]
    return build


def generate_book(out_dir: Path, accounts: int, months: int, seed: int, fmt: str = "parquet"):
    """Write a generated raw book with the package's command, as a user would."""
    subprocess.run(
        [
            sys.executable, "-m", "nrr_engine.generate",
            "--accounts", str(accounts), "--months", str(months), "--seed", str(seed),
            "--out", str(out_dir), "--format", fmt,
        ],
        check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return out_dir


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory) -> Build:
    """The hand-made tiny book (CSV): every movement type, EUR, a 36-month term, a free plan."""
    return build_ok(tmp_path_factory.mktemp("tiny"), TINY_BOOK, unit_tests=True)


@pytest.fixture(scope="session")
def generated_book(tmp_path_factory) -> Path:
    """A small generated book: 300 accounts over 30 months (parquet)."""
    return generate_book(tmp_path_factory.mktemp("book") / "raw", 300, 30, seed=7)


@pytest.fixture(scope="session")
def generated_build(tmp_path_factory, generated_book) -> Build:
    return build_ok(tmp_path_factory.mktemp("generated"), generated_book)


@pytest.fixture(scope="session")
def demo_book(tmp_path_factory) -> Path:
    """The default demo book (1,000 accounts over 36 months, seed 42): enough churn for the
    calibration truth checks."""
    return generate_book(tmp_path_factory.mktemp("demo") / "raw", 1000, 36, seed=42)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory, demo_book) -> Build:
    return build_ok(tmp_path_factory.mktemp("demo_build"), demo_book)
