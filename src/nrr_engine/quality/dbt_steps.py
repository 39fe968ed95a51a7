"""dbt invocations of a scheduled run (as subprocesses) and what their artifacts say."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from .contract import CONTRACT_FILE, RAW_SOURCE_NAME
from .validation import Failure

FAILED_STATUSES = {"error", "fail", "runtime error"}


@dataclass
class DbtInvocation:
    args: list[str]
    returncode: int
    log_file: Path
    target_path: Path

    def tail(self, lines: int = 25) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def run_dbt(
    dbt: str,
    command: list[str],
    project_dir: Path,
    env: dict[str, str],
    work_dir: Path,
    dbt_vars: dict,
    log_name: str,
) -> DbtInvocation:
    """Run `dbt <command>` in `project_dir`; output to `work_dir/<log_name>.log`."""
    target_path, log_path = work_dir / "dbt_target", work_dir / "dbt_logs"
    args = [dbt, *command, "--target-path", str(target_path), "--log-path", str(log_path)]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars, default=str)]
    log_file = work_dir / f"{log_name}.log"
    work_dir.mkdir(parents=True, exist_ok=True)
    for artifact in ("sources.json", "run_results.json"):  # never read a previous run's
        (target_path / artifact).unlink(missing_ok=True)
    with log_file.open("w", encoding="utf-8") as out:
        completed = subprocess.run(
            args,
            cwd=project_dir,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
    return DbtInvocation(args, completed.returncode, log_file, target_path)


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _loaded_at_column(expression: str | None) -> str | None:
    """The column a `loaded_at_field` reads: the bare name or the first `cast(<column>`."""
    if not expression:
        return None
    if re.fullmatch(r"\w+", expression.strip()):
        return expression.strip()
    match = re.search(r"cast\(\s*(\w+)", expression)
    return match.group(1) if match else None


def freshness_tables(project_dir: Path) -> list[str]:
    """Raw tables with a `freshness` config in the source YAML (the ones dbt checks)."""
    document = yaml.safe_load((project_dir / CONTRACT_FILE).read_text(encoding="utf-8"))
    tables = []
    for source in document.get("sources") or []:
        if source.get("name") != RAW_SOURCE_NAME:
            continue
        for table in source.get("tables") or []:
            if "freshness" in (table.get("config") or {}) or "freshness" in table:
                tables.append(str(table["name"]))
    return tables


def freshness_report(invocation: DbtInvocation) -> list[dict]:
    """One entry per source checked: table, column, status, age in hours, thresholds."""
    sources = _read_json(invocation.target_path / "sources.json") or {}
    manifest = _read_json(invocation.target_path / "manifest.json") or {}
    report = []
    for result in sources.get("results") or []:
        unique_id = result.get("unique_id", "")
        node = (manifest.get("sources") or {}).get(unique_id) or {}
        loaded_at = node.get("loaded_at_field") or (node.get("config") or {}).get("loaded_at_field")
        criteria = result.get("criteria") or {}
        age = result.get("max_loaded_at_time_ago_in_s")
        report.append(
            {
                "table": ".".join(unique_id.split(".")[-2:]) if unique_id else "?",
                "column": _loaded_at_column(loaded_at),
                "status": result.get("status"),
                "age_hours": None if age is None else round(age / 3600, 2),
                "warn_after_hours": (criteria.get("warn_after") or {}).get("count"),
                "error_after_hours": (criteria.get("error_after") or {}).get("count"),
                "message": result.get("error") or result.get("message"),
            }
        )
    return report


def freshness_failures(report: list[dict], reference: str) -> list[Failure]:
    failures = []
    for entry in report:
        if entry["status"] == "error":
            detail = (
                f"latest {entry['column'] or 'load'} is {entry['age_hours']} hours before the "
                f"run's reference time {reference}; the error threshold is "
                f"{entry['error_after_hours']} hours"
            )
            failures.append(
                Failure("freshness", entry["table"], entry["column"], "freshness", detail)
            )
        elif entry["status"] not in ("pass", "warn"):
            failures.append(
                Failure(
                    "freshness",
                    entry["table"],
                    entry["column"],
                    "freshness_query",
                    f"dbt could not check freshness ({entry['status']}): {entry['message']}",
                )
            )
    return failures


def _summarise(message: str | None) -> str:
    """A dbt error message in one line: its first line and the innermost error it quotes."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    if not lines:
        return "failed"
    errors = [line for line in lines[1:] if re.search(r"(Error|Exception)\b[^:]*:", line)]
    worded = [line for line in lines[1:] if re.search(r"[A-Za-z]{3}", line)]
    cause = (errors or worded or [""])[-1]
    return f"{lines[0]}: {cause}" if cause else lines[0]


def build_failures(invocation: DbtInvocation) -> list[Failure]:
    """Failed nodes of a `dbt build`, from run_results.json (empty when dbt never got there)."""
    results = _read_json(invocation.target_path / "run_results.json") or {}
    failures = []
    for result in results.get("results") or []:
        if result.get("status") not in FAILED_STATUSES:
            continue
        unique_id = result.get("unique_id", "?")
        message = _summarise(result.get("message"))
        failures.append(
            Failure(
                "build",
                unique_id,
                None,
                f"dbt_{result['status'].replace(' ', '_')}",
                message,
            )
        )
    return failures


def build_warnings(invocation: DbtInvocation) -> list[str]:
    """Nodes of a `dbt build` that warned (e.g. rejected raw rows): notes, not failures."""
    results = _read_json(invocation.target_path / "run_results.json") or {}
    return [
        f"dbt warning: {result.get('unique_id', '?')}: {_summarise(result.get('message'))}"
        for result in results.get("results") or []
        if result.get("status") == "warn"
    ]
