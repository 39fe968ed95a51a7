"""Shared fixtures: build the dbt project into throwaway DuckDB warehouses.

Every build gets its own warehouse file, target and log folders, so builds never share state.
dbt runs as a subprocess: one invocation at a time, never two in this process. `make test` runs
pytest on two worker processes (pytest-xdist, `--dist loadfile`). The session builds below
(tiny, generated, demo) are made once per session, by whichever worker asks first; the other
worker waits for it and reads the same finished warehouse, read-only (`made_once`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
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
    # The warehouse and spill folder are given relative to work_dir (dbt runs there), so every
    # build has the same profile and can start from a parse another build saved (below).
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO / "profiles"),
        "NRR_DUCKDB_PATH": warehouse.name,
        "NRR_DUCKDB_TEMP_DIR": "duckdb_tmp",
        "NRR_RAW_PATH": str(raw_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **({"NRR_TARGET": target} if target else {}),
        **(extra_env or {}),
    }
    args = [
        str(DBT),
        *command.split(),  # `docs generate` too
        "--project-dir",
        str(REPO),
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
    _start_from_a_saved_parse(work_dir / "target")
    result = subprocess.run(
        args, cwd=work_dir, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    if not (dbt_vars or target or extra_env):
        _keep_the_parse(work_dir / "target")
    return Build(warehouse, Path(raw_path), result.returncode, result.stdout + result.stderr)


# A parse of the project (dbt's partial_parse.msgpack) saved by a build of this process with the
# default vars and target, copied into each new target folder: a full parse costs a build 10-15 s
# of CPU, and the suite makes about 60 builds. dbt checks a saved parse itself (project files,
# --vars, profile, the env vars files read) and parses from scratch whenever anything differs,
# so a copy is never used where it does not apply.
_SAVED_PARSE: list[Path] = []


def _start_from_a_saved_parse(target_dir: Path) -> None:
    destination = target_dir / "partial_parse.msgpack"
    if _SAVED_PARSE and not destination.exists():
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_SAVED_PARSE[0], destination)


def _keep_the_parse(target_dir: Path) -> None:
    saved = target_dir / "partial_parse.msgpack"
    if not _SAVED_PARSE and saved.exists():
        _SAVED_PARSE.append(saved)


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


@contextlib.contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on lock_file (flock: released if the process dies)."""
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def made_once(tmp_path_factory, worker_id: str, name: str, make: Callable[[Path], Build | Path]):
    """`make(folder)` once per test session, whichever pytest-xdist worker asks first.

    The pytest-xdist recipe for session fixtures: the workers of one session share the parent
    of their base temp folders. The first worker to ask holds a lock there while it makes the
    thing; a worker that asks meanwhile waits, then reuses the finished result (recorded in a
    JSON file next to it). What is shared is only read afterwards: Build.query and Build.dicts
    open the warehouse read-only, and no fixture or test writes into a session build's folder.
    A failed build records nothing, so the next worker that asks tries again (and fails alike).
    Without xdist (worker_id "master") it is a plain session fixture."""
    if worker_id == "master":
        return make(tmp_path_factory.mktemp(name))
    root = tmp_path_factory.getbasetemp().parent / "made_once"
    root.mkdir(exist_ok=True)
    record = root / f"{name}.json"
    with _exclusive(root / f"{name}.lock"):
        if record.exists():
            made = json.loads(record.read_text())
            if made["kind"] == "path":
                return Path(made["path"])
            fields = made["build"]
            return Build(
                Path(fields["warehouse"]), Path(fields["raw_path"]),
                fields["returncode"], fields["output"],
            )  # fmt: skip
        folder = root / name
        if folder.exists():  # what a failed attempt left
            shutil.rmtree(folder)
        folder.mkdir()
        value = make(folder)
        if isinstance(value, Build):
            fields = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(value).items()}
            made = {"kind": "build", "build": fields}
        else:
            made = {"kind": "path", "path": str(value)}
        record.write_text(json.dumps(made))
        return value


# The files that take longest, longest first (measured with `--junitxml`, per file): under
# `--dist loadfile --no-loadscope-reorder` (the Makefile) a worker takes the next file when it is
# free, so starting with the long ones keeps both workers busy to the end instead of leaving one
# file running alone (the Spark build alone is about 5 minutes). The other files keep their order.
LONGEST_FILES_FIRST = (
    "warehouses/test_spark.py",
    "warehouses/test_postgres.py",
    "test_incremental.py",
    "test_plausibility.py",
    "test_incremental_state.py",
    "test_start_with_what_you_have.py",
    "test_bad_input.py",
    "quality/test_quality_scheduled_run.py",
    "test_marts_match_reference.py",
    "test_stripe_source.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests_root = Path(__file__).parent

    def rank(item: pytest.Item) -> int:
        relative = item.path.relative_to(tests_root).as_posix()
        if relative in LONGEST_FILES_FIRST:
            return LONGEST_FILES_FIRST.index(relative)
        return len(LONGEST_FILES_FIRST)

    items.sort(key=rank)  # stable: within a file, and among the rest, the collected order


@pytest.fixture(scope="session", autouse=True)
def classifier_store(tmp_path_factory, worker_id) -> Path:
    """One store of trained feedback classifiers for every build of the session, both workers'
    (nrr_engine.feedback_corpus.stored_default_classifier): the first build that classifies
    trains and stores it, the others load it (training is 8-19 s a process). Never the user's
    ~/.cache: the builds inherit this environment."""
    base = tmp_path_factory.getbasetemp()
    folder = (base if worker_id == "master" else base.parent) / "classifier_store"
    os.environ["NRR_CLASSIFIER_STORE_DIR"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory, worker_id) -> Build:
    """The hand-made tiny book (CSV): every movement type, EUR, a 36-month term, a free plan."""
    return made_once(
        tmp_path_factory, worker_id, "tiny",
        lambda folder: build_ok(folder, TINY_BOOK, unit_tests=True),
    )  # fmt: skip


@pytest.fixture(scope="session")
def generated_book(tmp_path_factory, worker_id) -> Path:
    """A small generated book: 300 accounts over 30 months (parquet)."""
    return made_once(
        tmp_path_factory, worker_id, "book",
        lambda folder: generate_book(folder / "raw", 300, 30, seed=7),
    )  # fmt: skip


@pytest.fixture(scope="session")
def generated_build(tmp_path_factory, worker_id, generated_book) -> Build:
    return made_once(
        tmp_path_factory, worker_id, "generated",
        lambda folder: build_ok(folder, generated_book),
    )  # fmt: skip


@pytest.fixture(scope="session")
def demo_book(tmp_path_factory, worker_id) -> Path:
    """The default demo book (1,000 accounts over 36 months, seed 42): enough churn for the
    calibration truth checks."""
    return made_once(
        tmp_path_factory, worker_id, "demo",
        lambda folder: generate_book(folder / "raw", 1000, 36, seed=42),
    )  # fmt: skip


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory, worker_id, demo_book) -> Build:
    return made_once(
        tmp_path_factory, worker_id, "demo_build",
        lambda folder: build_ok(folder, demo_book),
    )  # fmt: skip
