"""Run dbt in a subprocess: wall time, peak RSS, and the figures of target/run_results.json."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from nrr_engine.dbt_cli import dbt_executable

GNU_TIME = Path("/usr/bin/time")
_MAXRSS = re.compile(r"Maximum resident set size \(kbytes\):\s*(\d+)")


def _gnu_time_works() -> bool:
    if not GNU_TIME.exists():
        return False
    probe = subprocess.run(
        [str(GNU_TIME), "-v", "true"], capture_output=True, text=True, check=False
    )
    return probe.returncode == 0 and bool(_MAXRSS.search(probe.stderr))


@dataclass
class DbtRun:
    """One finished dbt invocation."""

    command: list[str]
    returncode: int
    wall_seconds: float
    started_at: dt.datetime  # process start (UTC)
    peak_rss_bytes: int | None
    rss_method: str
    log_file: Path
    run_results: dict | None = None
    manifest: dict | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def output_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    # ---- run_results.json -------------------------------------------------------------------

    def results(self) -> list[dict]:
        return (self.run_results or {}).get("results", [])

    def model_times(self) -> dict[str, float]:
        """unique_id -> execution_time (s) of every model node."""
        return {
            r["unique_id"]: float(r.get("execution_time") or 0.0)
            for r in self.results()
            if r["unique_id"].startswith("model.")
        }

    def slowest(self, n: int = 10, prefix: str = "model.") -> list[dict]:
        rows = [
            {
                "unique_id": r["unique_id"],
                "execution_time": round(float(r.get("execution_time") or 0.0), 3),
                "status": r.get("status"),
            }
            for r in self.results()
            if r["unique_id"].startswith(prefix)
        ]
        return sorted(rows, key=lambda r: -r["execution_time"])[:n]

    def time_by_resource_type(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for r in self.results():
            kind = r["unique_id"].split(".", 1)[0]
            totals[kind] = totals.get(kind, 0.0) + float(r.get("execution_time") or 0.0)
        return {k: round(v, 3) for k, v in sorted(totals.items())}

    def first_node_started(self) -> dt.datetime | None:
        starts = [
            _parse_ts(t["started_at"])
            for r in self.results()
            for t in r.get("timing", [])
            if t.get("started_at")
        ]
        return min(starts) if starts else None

    def startup_seconds(self) -> float | None:
        """Process start to the first node starting: Python start-up, parse, graph, connect."""
        first = self.first_node_started()
        return None if first is None else (first - self.started_at).total_seconds()

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.results():
            counts[r.get("status")] = counts.get(r.get("status"), 0) + 1
        return counts

    def models_in(self, folder: str) -> list[str]:
        """unique_ids of the models whose file lies under ``folder`` (from manifest.json)."""
        nodes = (self.manifest or {}).get("nodes", {})
        return sorted(
            uid
            for uid, node in nodes.items()
            if node.get("resource_type") == "model"
            and node.get("original_file_path", "").startswith(folder.rstrip("/") + "/")
        )

    def models_materialized(self, materialized: str) -> list[str]:
        nodes = (self.manifest or {}).get("nodes", {})
        return sorted(
            uid
            for uid, node in nodes.items()
            if node.get("resource_type") == "model"
            and node.get("config", {}).get("materialized") == materialized
        )


def _parse_ts(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def run_dbt(
    args: list[str],
    *,
    project_dir: Path,
    target_path: Path,
    log_path: Path,
    env: dict[str, str],
    label: str,
) -> DbtRun:
    """Run ``dbt <args>`` from ``project_dir``; output goes to ``log_path/<label>.out``.

    Peak RSS: GNU ``/usr/bin/time -v`` around dbt when it works here, otherwise the rusage of
    exactly this child from ``os.wait4``.
    """
    log_path.mkdir(parents=True, exist_ok=True)
    target_path.mkdir(parents=True, exist_ok=True)
    command = [
        dbt_executable(),
        *args,
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path),
    ]
    out_file = log_path / f"{label}.out"
    time_file = log_path / f"{label}.time"
    use_time = _gnu_time_works()
    argv = [str(GNU_TIME), "-v", "-o", str(time_file), *command] if use_time else command
    # a stale run_results.json must never be read as this run's
    (target_path / "run_results.json").unlink(missing_ok=True)
    started_at = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    with out_file.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(argv, cwd=project_dir, env=env, stdout=out, stderr=out)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = None
    method = "os.wait4 ru_maxrss"
    if use_time:
        match = _MAXRSS.search(time_file.read_text(encoding="utf-8", errors="replace"))
        if match:
            rss = int(match.group(1)) * 1024
            method = "/usr/bin/time -v"
    if rss is None:
        rss = int(usage.ru_maxrss) * (1 if sys.platform == "darwin" else 1024)
    run = DbtRun(
        command=command,
        returncode=proc.returncode,
        wall_seconds=wall,
        started_at=started_at,
        peak_rss_bytes=rss,
        rss_method=method,
        log_file=out_file,
    )
    for name, attr in (("run_results.json", "run_results"), ("manifest.json", "manifest")):
        path = target_path / name
        if path.exists():
            setattr(run, attr, json.loads(path.read_text(encoding="utf-8")))
    if run.run_results is not None:
        shutil.copy2(target_path / "run_results.json", log_path / f"{label}.run_results.json")
    return run
