"""One command for a scheduled run: validate raw -> dbt source freshness -> dbt build -> validate
marts -> publish, or publish nothing.

    python -m nrr_engine.quality.scheduled_run [--raw-path DIR] [--warehouse FILE] ...
    nrr-scheduled-run ...            (the same, as an installed script)
    make scheduled-run               (the same, with the Makefile's NRR_RAW_PATH / NRR_DUCKDB_PATH)

Publication is atomic. dbt builds into a candidate file next to the published warehouse
(`<warehouse>.next`, through NRR_DUCKDB_PATH, which profiles/profiles.yml reads), seeded with a
copy of the published file so that incremental models stay incremental (`--full-refresh` starts
from an empty file). The candidate is validated read-only, the run log is copied into it
(`audit.audit_runs`), and `os.replace` swaps it onto the published path. On any failure the
candidate is deleted and the published file is never opened for writing, so it stays
byte-for-byte unchanged.

Every run, published or not, appends a row to `audit_runs` in the run log (its own DuckDB file,
`run_log.duckdb` next to the warehouse by default), writes the GX Data Docs of the mart suites
to `<output_dir>/data_docs/` and a JSON summary to `<output_dir>/run_summary.json`. Exit code: 0
published, 1 failed, 2 not started (bad arguments, or another run holds the lock).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import shutil
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import duckdb
import yaml

from nrr_engine.dbt_cli import dbt_executable

from . import run_log
from .contract import RAW_SOURCE_NAME, load_raw_contract
from .dbt_steps import (
    build_failures,
    build_warnings,
    freshness_failures,
    freshness_report,
    freshness_tables,
    run_dbt,
)
from .mart_suites import validate_marts
from .raw_suites import RejectedShareLimits, latest_activity_date, validate_raw
from .validation import Failure, GxSession

log = logging.getLogger("nrr_engine.quality.scheduled_run")

PUBLISHED = "published"
FAILED_RAW = "failed_raw_validation"
FAILED_FRESHNESS = "failed_freshness"
FAILED_BUILD = "failed_build"
FAILED_MARTS = "failed_mart_validation"
FAILED_PUBLISH = "failed_publish"  # the swap itself failed (disk full, permissions): rare
STAGE_OUTCOMES = {
    "raw": FAILED_RAW,
    "freshness": FAILED_FRESHNESS,
    "build": FAILED_BUILD,
    "marts": FAILED_MARTS,
    "publish": FAILED_PUBLISH,
}
DEFAULT_VOLUME_CHANGE_FACTOR = 2.0
MESSAGE_FAILURES = 10


class RunInProgress(RuntimeError):
    """Another scheduled run holds the lock of this warehouse."""


@dataclass
class RunConfig:
    project_dir: Path
    raw_path: Path
    warehouse: Path
    run_log: Path
    output_dir: Path
    as_of_date: date | None = None
    # "as-of": freshness is measured at the end of the as_of_date (capped at now); "now": the clock.
    freshness_reference: str = "as-of"
    dbt_vars: dict = field(default_factory=dict)
    full_refresh: bool = False
    dbt: str | None = None
    # More `dbt build` arguments (none by default: the whole project, unit tests included). The
    # test suite leaves out the dbt unit tests, which read only their own fixture rows and run in
    # the suite's tiny-book build.
    build_args: tuple[str, ...] = ()

    @property
    def candidate(self) -> Path:
        return self.warehouse.with_name(self.warehouse.name + ".next")


@dataclass
class RunResult:
    run_id: str
    outcome: str
    failures: list[Failure]
    summary: dict
    summary_path: Path

    @property
    def exit_code(self) -> int:
        return 0 if self.outcome == PUBLISHED else 1

    @property
    def message(self) -> str:
        return "\n".join(f.message() for f in self.failures)


def project_vars(project_dir: Path) -> dict:
    """The `vars:` of dbt_project.yml (values as written; only plain numbers are read here)."""
    document = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(document.get("vars") or {})


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove(path: Path) -> None:
    for file in (path, _wal(path)):
        file.unlink(missing_ok=True)


class _Lock:
    """An exclusive, non-blocking lock on `<warehouse>.lock` for the length of a run."""

    def __init__(self, warehouse: Path) -> None:
        self.path = warehouse.with_name(warehouse.name + ".lock")
        self.handle = None

    def __enter__(self) -> _Lock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("a")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            self.handle.close()
            raise RunInProgress(f"another scheduled run holds {self.path}") from error
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


class _Run:
    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self.started = _utc_now()
        self.run_id = f"{self.started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
        self.output_dir = config.output_dir
        self.vars = {**project_vars(config.project_dir), **config.dbt_vars}
        self.factor = float(self.vars.get("volume_change_factor") or DEFAULT_VOLUME_CHANGE_FACTOR)
        self.session = GxSession(self.output_dir / "data_docs")
        self.outcome: str | None = None
        self.failures: list[Failure] = []
        self.notes: list[str] = []
        self.stages: list[dict] = []
        self.previous: dict | None = None
        self.raw_counts: dict | None = None
        self.mart_counts: dict | None = None
        self.rejected: dict | None = None
        self.freshness: list[dict] | None = None
        self.as_of: date | None = config.as_of_date
        self.reference: datetime | None = None
        self.logged = False
        self.dbt_logs: dict[str, str] = {}
        self.current_stage = "raw"
        self.swapped = False

    # -- stages -----------------------------------------------------------------------------

    def _stage(self, name: str, body) -> bool:
        """Run one stage; on failures (or an exception) set the outcome and return False."""
        log.info("[%s] %s ...", self.run_id, name)
        self.current_stage = name
        began = time.monotonic()
        try:
            failures = body()
        except Exception as error:  # noqa: BLE001 - any error fails the run, with its trace
            log.error("%s", traceback.format_exc())
            failures = [
                Failure(
                    name,
                    "scheduled_run",
                    None,
                    "unexpected_error",
                    f"{type(error).__name__}: {error}",
                )
            ]
        seconds = round(time.monotonic() - began, 2)
        self.stages.append(
            {"stage": name, "ok": not failures, "seconds": seconds, "failures": len(failures)}
        )
        log.info(
            "[%s] %s: %s (%.1f s)",
            self.run_id,
            name,
            "ok" if not failures else f"{len(failures)} failure(s)",
            seconds,
        )
        for failure in failures:
            log.error("  %s", failure.message())
        self.failures += failures
        if failures:
            self.outcome = STAGE_OUTCOMES[name]
        return not failures

    def _dbt_env(self) -> dict[str, str]:
        project = self.config.project_dir
        return {
            "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(project / "profiles")),
            "NRR_DUCKDB_PATH": str(self.config.candidate),
            "NRR_RAW_PATH": str(self.config.raw_path),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }

    def _dbt_vars(self) -> dict:
        dbt_vars = {**self.config.dbt_vars, "raw_path": str(self.config.raw_path)}
        if self.config.as_of_date:
            dbt_vars["as_of_date"] = self.config.as_of_date.isoformat()
        if self.reference is not None:
            # Only source freshness reads it; build gets it too so that the vars are the same
            # and dbt's partial parsing of the freshness call carries over to the build.
            dbt_vars["freshness_reference"] = self._reference_text()
        return dbt_vars

    def _reference_text(self) -> str:
        return self.reference.strftime("%Y-%m-%d %H:%M:%S+00:00")

    def validate_raw(self) -> list[Failure]:
        contracts = load_raw_contract(self.config.project_dir)
        previous = (self.previous or {}).get("raw_row_counts")
        limits = RejectedShareLimits.from_vars(self.vars)
        result = validate_raw(self.config.raw_path, contracts, previous, self.factor, limits)
        self.raw_counts = result.row_counts
        self.notes += result.notes
        if self.as_of is None and not result.failures:
            self.as_of = latest_activity_date(result.activity, self.started.date())
        return result.failures

    def _reference_time(self) -> datetime:
        if self.config.freshness_reference == "now" or self.as_of is None:
            return self.started
        end_of_day = datetime.combine(self.as_of + timedelta(days=1), clock_time(), tzinfo=UTC)
        return min(end_of_day, self.started)

    def _prepare_candidate(self) -> None:
        candidate, published = self.config.candidate, self.config.warehouse
        _remove(candidate)  # a crashed run's leftovers
        candidate.parent.mkdir(parents=True, exist_ok=True)
        if self.config.full_refresh or not published.exists():
            return
        if _wal(published).exists():
            self.notes.append(
                f"{_wal(published)} exists (a writer is open or crashed): the candidate starts "
                "empty instead of from a copy of the published warehouse"
            )
            return
        shutil.copyfile(published, candidate)  # reads the published file, never writes it

    def check_freshness(self) -> list[Failure]:
        """dbt source freshness on the tables that have rows; an empty or absent one gets a note
        (the age of its latest row would be measured from 1970)."""
        self.reference = self._reference_time()
        reference = self._reference_text()
        self._prepare_candidate()
        checked, empty = [], []
        for table in freshness_tables(self.config.project_dir):
            (checked if (self.raw_counts or {}).get(table) else empty).append(table)
        for table in empty:
            state = "empty" if table in (self.raw_counts or {}) else "absent (empty)"
            self.notes.append(f"raw.{table} is {state}: freshness not checked")
        if not checked:
            self.freshness = []
            return []
        exclude = [arg for table in empty for arg in ("--exclude", f"source:raw.{table}")]
        # the raw sources named, not left to the default selector (selectors.yml), whose node
        # selection would leave sources out
        select = ["--select", f"source:{RAW_SOURCE_NAME}"]
        invocation = run_dbt(
            dbt_executable(self.config.dbt),
            ["source", "freshness", *select, *exclude],
            self.config.project_dir,
            self._dbt_env(),
            self.output_dir,
            self._dbt_vars(),
            "dbt_source_freshness",
        )
        self.dbt_logs["source_freshness"] = str(invocation.log_file)
        self.freshness = freshness_report(invocation)
        for entry in self.freshness:
            if entry["status"] == "warn":
                self.notes.append(
                    f"freshness warning: {entry['table']}.{entry['column']} is "
                    f"{entry['age_hours']} hours old at {reference} "
                    f"(warn after {entry['warn_after_hours']} hours)"
                )
        failures = freshness_failures(self.freshness, reference)
        if invocation.returncode != 0 and not failures:
            failures = [
                Failure(
                    "freshness",
                    "dbt",
                    None,
                    "dbt_source_freshness",
                    f"dbt source freshness exited with {invocation.returncode}:\n"
                    + invocation.tail(),
                )
            ]
        return failures

    def build(self) -> list[Failure]:
        command = [
            "build",
            *(["--full-refresh"] if self.config.full_refresh else []),
            *self.config.build_args,
        ]
        invocation = run_dbt(
            dbt_executable(self.config.dbt),
            command,
            self.config.project_dir,
            self._dbt_env(),
            self.output_dir,
            self._dbt_vars(),
            "dbt_build",
        )
        self.dbt_logs["build"] = str(invocation.log_file)
        self.notes += build_warnings(invocation)
        self._read_build_facts()
        if invocation.returncode == 0:
            return []
        return build_failures(invocation) or [
            Failure(
                "build",
                "dbt",
                None,
                "dbt_build",
                f"dbt build exited with {invocation.returncode}:\n" + invocation.tail(),
            )
        ]

    def _read_build_facts(self) -> None:
        """Rejected rows and the resolved as_of_date, from the candidate (if dbt got that far)."""
        if not self.config.candidate.exists():
            return
        try:
            with duckdb.connect(str(self.config.candidate), read_only=True) as con:
                cursor = con.execute("select * from audit.audit_row_reconciliation")
                names = [d[0] for d in cursor.description]
                rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
                self.rejected = {row.pop("source_table"): row for row in rows}
                as_of = con.execute(
                    "select as_of_date from intermediate.int_as_of_date_resolved"
                ).fetchone()
                if as_of and as_of[0]:
                    self.as_of = as_of[0]
        except duckdb.Error as error:
            self.notes.append(f"could not read the build's audit tables: {error}")

    def validate_marts(self) -> list[Failure]:
        previous = (self.previous or {}).get("mart_row_counts")
        result = validate_marts(self.config.candidate, previous, self.factor, self.session)
        self.mart_counts = result.row_counts
        self.notes += result.notes
        return result.failures

    def publish(self) -> list[Failure]:
        self.outcome = PUBLISHED
        run_log.append(self.config.run_log, self._row())
        self.logged = True
        copied = run_log.copy_into_warehouse(self.config.candidate, self.config.run_log)
        if _wal(self.config.candidate).exists():
            raise RuntimeError(f"{_wal(self.config.candidate)} was left behind; not publishing")
        os.replace(self.config.candidate, self.config.warehouse)
        self.swapped = True
        log.info(
            "[%s] published %s (audit.audit_runs: %d runs)",
            self.run_id,
            self.config.warehouse,
            copied,
        )
        return []

    # -- bookkeeping ------------------------------------------------------------------------

    def _message(self) -> str:
        if self.outcome == PUBLISHED:
            return f"published {self.config.warehouse}"
        shown = [f.message() for f in self.failures[:MESSAGE_FAILURES]]
        more = len(self.failures) - len(shown)
        return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")

    def _row(self) -> dict:
        return {
            "run_id": self.run_id,
            "started_at": self.started.replace(tzinfo=None),
            "ended_at": _utc_now().replace(tzinfo=None),
            "as_of_date": self.as_of,
            "outcome": self.outcome,
            "message": self._message(),
            "raw_path": str(self.config.raw_path),
            "warehouse_path": str(self.config.warehouse),
            "raw_row_counts": self.raw_counts,
            "mart_row_counts": self.mart_counts,
            "rejected_rows": self.rejected,
            "validation_results": [f.as_dict() for f in self.failures],
            "freshness": self.freshness,
        }

    def _summary(self, data_docs: Path | None) -> dict:
        ended = _utc_now()
        return {
            "run_id": self.run_id,
            "outcome": self.outcome,
            "exit_code": 0 if self.outcome == PUBLISHED else 1,
            "published": self.outcome == PUBLISHED,
            "started_at": self.started.isoformat(),
            "ended_at": ended.isoformat(),
            "seconds": round((ended - self.started).total_seconds(), 2),
            "as_of_date": self.as_of.isoformat() if self.as_of else None,
            "freshness_reference": self.reference.isoformat() if self.reference else None,
            "raw_path": str(self.config.raw_path),
            "warehouse": str(self.config.warehouse),
            "candidate": str(self.config.candidate),
            "run_log": str(self.config.run_log),
            "previous_published_run": (self.previous or {}).get("run_id"),
            "thresholds": {
                "volume_change_factor": self.factor,
                "freshness_hours": self.vars.get("freshness_hours"),
                "max_rejected_share": self.vars.get("max_rejected_share"),
                "max_rejected_share_by_table": self.vars.get("max_rejected_share_by_table"),
            },
            "stages": self.stages,
            "failures": [f.as_dict() | {"message": f.message()} for f in self.failures],
            "notes": self.notes,
            "raw_row_counts": self.raw_counts,
            "mart_row_counts": self.mart_counts,
            "rejected_rows": self.rejected,
            "freshness": self.freshness,
            "data_docs": str(data_docs) if data_docs else None,
            "dbt_logs": self.dbt_logs,
        }

    def execute(self) -> RunResult:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        summary_path = self.output_dir / "run_summary.json"
        summary_path.unlink(missing_ok=True)
        log.info(
            "[%s] scheduled run: raw %s -> %s",
            self.run_id,
            self.config.raw_path,
            self.config.warehouse,
        )
        try:
            self.previous = run_log.last_published(self.config.run_log)
            _ = (
                self._stage("raw", self.validate_raw)
                and self._stage("freshness", self.check_freshness)
                and self._stage("build", self.build)
                and self._stage("marts", self.validate_marts)
                and self._stage("publish", self.publish)
            )
        finally:
            if self.outcome is None or (self.outcome == PUBLISHED and not self.swapped):
                # interrupted mid-stage (KeyboardInterrupt, SystemExit), or before the swap
                self.outcome = STAGE_OUTCOMES[self.current_stage]
                self.notes.append(f"interrupted during the {self.current_stage} stage")
            if self.outcome != PUBLISHED:
                _remove(self.config.candidate)
            if not self.logged:
                run_log.append(self.config.run_log, self._row())
            elif self.outcome != PUBLISHED:  # the swap failed after the row was written
                run_log.set_outcome(self.config.run_log, self.run_id, self.outcome, self._message())
            try:
                data_docs = self.session.build_docs()
            except Exception as error:  # noqa: BLE001 - docs must not hide the run's outcome
                self.notes.append(f"Data Docs were not built: {error}")
                data_docs = None
            summary = self._summary(data_docs)
            summary_path.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
        log.info("[%s] outcome: %s; summary: %s", self.run_id, self.outcome, summary_path)
        return RunResult(self.run_id, self.outcome, self.failures, summary, summary_path)


def run(config: RunConfig) -> RunResult:
    """One scheduled run under the warehouse's lock (raises RunInProgress if it is held)."""
    with _Lock(config.warehouse):
        return _Run(config).execute()


# -- command line ---------------------------------------------------------------------------


def default_project_dir() -> Path:
    """The nearest folder at or above the working directory with a dbt_project.yml, else the
    repository this package sits in."""
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "dbt_project.yml").exists():
            return folder
    return Path(__file__).resolve().parents[3]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nrr-scheduled-run",
        description=(
            "Validate raw inputs (SQL checks in DuckDB), check source freshness, build with dbt "
            "into a candidate warehouse, validate the marts (Great Expectations) and publish it "
            "atomically. Exits 1 and publishes nothing when any step fails."
        ),
    )
    parser.add_argument("--project-dir", type=Path, help="dbt project (default: found from cwd)")
    parser.add_argument(
        "--raw-path", type=Path, help="raw folder (default: var raw_path, $NRR_RAW_PATH, data/demo)"
    )
    parser.add_argument(
        "--warehouse",
        type=Path,
        help="published warehouse file (default: $NRR_DUCKDB_PATH or warehouse/nrr.duckdb)",
    )
    parser.add_argument(
        "--run-log", type=Path, help="run log DuckDB file (default: run_log.duckdb beside it)"
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        help="run_summary.json, data_docs/ and dbt logs (default: target/scheduled_run)",
    )
    parser.add_argument(
        "--as-of-date",
        type=date.fromisoformat,
        help="reporting date YYYY-MM-DD (default: the latest raw billing/usage date, capped at "
        "today); passed to dbt as the var as_of_date",
    )
    parser.add_argument(
        "--freshness-reference",
        choices=["as-of", "now"],
        default="as-of",
        help="measure source freshness at the end of the as_of_date (default; capped at now) or "
        "at the wall clock",
    )
    parser.add_argument(
        "--vars",
        default="{}",
        help="dbt vars as YAML/JSON, passed to every dbt call and read for the thresholds "
        "(volume_change_factor, freshness_hours, max_rejected_share, "
        "max_rejected_share_by_table)",
    )
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="build the candidate from an empty file (dbt build --full-refresh) instead of a "
        "copy of the published warehouse",
    )
    parser.add_argument("--dbt", help="dbt executable (default: the one beside this Python)")
    return parser


def config_from_args(args: argparse.Namespace) -> RunConfig:
    project = (args.project_dir or default_project_dir()).resolve()
    dbt_vars = yaml.safe_load(args.vars) or {}
    if not isinstance(dbt_vars, dict):
        raise ValueError("--vars must be a YAML/JSON mapping")

    def from_env(value: str) -> Path:  # env and defaults are relative to the project, as for dbt
        path = Path(value)
        return path if path.is_absolute() else project / path

    if args.raw_path:
        raw_path = args.raw_path.resolve()
    elif dbt_vars.get("raw_path"):
        raw_path = from_env(str(dbt_vars["raw_path"]))
    else:
        raw_path = from_env(os.environ.get("NRR_RAW_PATH") or "data/demo")
    warehouse = (
        args.warehouse.resolve()
        if args.warehouse
        else from_env(os.environ.get("NRR_DUCKDB_PATH") or "warehouse/nrr.duckdb")
    )
    as_of_date = args.as_of_date
    if as_of_date is None and dbt_vars.get("as_of_date"):
        as_of_date = date.fromisoformat(str(dbt_vars["as_of_date"]))
    return RunConfig(
        project_dir=project,
        raw_path=raw_path,
        warehouse=warehouse,
        run_log=(args.run_log.resolve() if args.run_log else warehouse.parent / "run_log.duckdb"),
        output_dir=(
            args.output_dir.resolve() if args.output_dir else project / "target" / "scheduled_run"
        ),
        as_of_date=as_of_date,
        freshness_reference=args.freshness_reference,
        dbt_vars=dbt_vars,
        full_refresh=args.full_refresh,
        dbt=args.dbt,
    )


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    package = logging.getLogger("nrr_engine.quality")
    package.handlers[:] = [handler]
    package.setLevel(logging.INFO)
    package.propagate = False
    logging.getLogger("great_expectations").setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging()
    try:
        config = config_from_args(args)
        result = run(config)
    except (RunInProgress, ValueError, yaml.YAMLError) as error:
        print(f"nrr-scheduled-run: {error}", file=sys.stderr)
        return 2
    print(f"scheduled run {result.run_id}: {result.outcome}")
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
