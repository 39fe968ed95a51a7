"""``python -m nrr_engine.benchmark --scale small|medium|large``: one benchmark run.

Steps (all under the scratch folder, default ``.benchmarks/<scale>/``):

0. the raw book in ``raw/`` (generated once, reused while its generator_manifest.json matches),
   and ``raw_plus_1d/``: the same book with one more day (data.append_one_day);
1. the floor: one DuckDB query reading every raw table once, usage aggregated to account-day;
2. ``dbt parse`` once (dbt's fixed start-up), then a full ``dbt build`` into a fresh warehouse;
3. the revenue core written by hand in DuckDB vs dbt's revenue-core models (full build);
4. the incremental run: ``dbt build`` again on the same warehouse after the raw folder gains a
   day (the models see one raw path, ``run/raw_current``, a link switched from ``raw/`` to
   ``raw_plus_1d/``, as when an export folder is refreshed in place; so dbt's partial parsing
   applies as it would in production).

Prints the figures and the targets of the scale, and writes them to ``results-<timestamp>.json``
and ``latest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata as md
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from .data import append_one_day, ensure_raw, generator_args
from .dbt_runs import DbtRun, run_dbt
from .queries import (
    dbt_movements,
    run_floor,
    run_handwritten_revenue,
    warehouse_scalar,
)
from .scales import SCALES, Scale


def _default_project_dir() -> Path:
    """The checkout this package sits in (editable install), else the working directory."""
    checkout = Path(__file__).resolve().parents[3]
    return checkout if (checkout / "dbt_project.yml").exists() else Path.cwd()


PROJECT_DIR = _default_project_dir()

#: the revenue core: what the hand-written pipeline does, as dbt models
REVENUE_CORE_MODELS = [
    "stg_raw__subscription_line_items",
    "int_line_items_annualized",
    "int_month_snapshots_spined",
    "int_account_arr_snapshotted",
    "int_account_arr_classified",
    "fct_account_arr_monthly",
    "fct_arr_waterfall",
]
USAGE_MODELS_FOLDER = "models/intermediate/usage"
MARTS_FOLDER = "models/marts"


# --------------------------------------------------------------------------------------------
# settings and machine


def profile_settings(args) -> dict:
    """Threads, memory limit and temp dir: flags, else the profile's environment, else its
    defaults (profiles/profiles.yml)."""
    return {
        "threads": int(args.threads or os.environ.get("NRR_THREADS") or 2),
        "memory_limit": args.memory_limit or os.environ.get("NRR_DUCKDB_MEMORY_LIMIT") or "4GB",
        "temp_directory": args.temp_dir or os.environ.get("NRR_DUCKDB_TEMP_DIR"),
    }


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def _memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _git(project: Path) -> dict:
    def git(*args):
        done = subprocess.run(
            ["git", *args], cwd=project, capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else None

    status = git("status", "--porcelain")
    return {
        "commit": git("rev-parse", "HEAD"),
        "dirty": bool(status) if status is not None else None,
    }


def machine_info(project: Path) -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": _cpu_model(),
        "memory_bytes": _memory_bytes(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt_core": _version("dbt-core"),
        "dbt_duckdb": _version("dbt-duckdb"),
        "git": _git(project),
        # other work on the machine distorts every figure: compare runs with low load only
        "load_average_at_start": _load(),
    }


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


# --------------------------------------------------------------------------------------------
# one run


def _point(link: Path, folder: Path) -> None:
    """Make ``link`` a symlink to ``folder`` (replaced atomically)."""
    tmp = link.with_name(link.name + ".tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(folder.resolve(), target_is_directory=True)
    os.replace(tmp, link)


def _dbt_env(run_dir: Path, raw_link: Path, settings: dict, project: Path) -> dict:
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(project / "profiles"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "NRR_DUCKDB_PATH": str(run_dir / "warehouse.duckdb"),
        "NRR_RAW_PATH": str(raw_link),
        "NRR_THREADS": str(settings["threads"]),
        "NRR_DUCKDB_MEMORY_LIMIT": str(settings["memory_limit"]),
        "NRR_DUCKDB_TEMP_DIR": str(settings["temp_directory"]),
    }


def _build_figures(run: DbtRun, usage_events: int, warehouse: Path) -> dict:
    model_times = run.model_times()
    usage_models = run.models_in(USAGE_MODELS_FOLDER)
    usage_seconds = sum(model_times.get(uid, 0.0) for uid in usage_models)
    figures = {
        "status": "ok" if run.ok else f"failed (exit {run.returncode})",
        "wall_seconds": round(run.wall_seconds, 3),
        "dbt_elapsed_seconds": round((run.run_results or {}).get("elapsed_time") or 0.0, 3),
        "startup_seconds": _round(run.startup_seconds()),
        "peak_rss_bytes": run.peak_rss_bytes,
        "rss_method": run.rss_method,
        "node_status": run.status_counts(),
        "seconds_by_resource_type": run.time_by_resource_type(),
        "slowest_models": run.slowest(10, "model."),
        "slowest_nodes": run.slowest(10, ""),
        "marts_by_domain": marts_by_domain(run, model_times),
        "usage_pipeline": {
            "models": usage_models,
            "seconds": round(usage_seconds, 3),
            "usage_events": usage_events,
            "rows_per_second": round(usage_events / usage_seconds) if usage_seconds else None,
        },
        "log": str(run.log_file),
    }
    if run.ok and warehouse.exists():
        as_of = warehouse_scalar(
            warehouse, "select as_of_date from intermediate.int_as_of_date_resolved"
        )
        figures["as_of_date"] = str(as_of) if as_of else None
    return figures


def marts_by_domain(run: DbtRun, model_times: dict[str, float]) -> dict[str, list[dict]]:
    """Every mart's build seconds, by its folder under models/marts (slowest first): each domain's
    marts are in the report, not only the ten slowest models of the whole build."""
    domains: dict[str, list[dict]] = {}
    for unique_id in run.models_in(MARTS_FOLDER):
        path = run.manifest["nodes"][unique_id]["original_file_path"]
        domain = path.removeprefix(MARTS_FOLDER + "/").split("/", 1)[0]
        seconds = model_times.get(unique_id)
        domains.setdefault(domain, []).append(
            {
                "unique_id": unique_id,
                "execution_time": None if seconds is None else round(seconds, 3),
            }
        )
    for rows in domains.values():
        rows.sort(key=lambda row: -(row["execution_time"] or 0.0))
    return dict(sorted(domains.items()))


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _revenue_core_seconds(run: DbtRun) -> tuple[float, dict[str, float], list[str]]:
    times = {uid.rsplit(".", 1)[-1]: t for uid, t in run.model_times().items()}
    found = {m: round(times[m], 3) for m in REVENUE_CORE_MODELS if m in times}
    missing = [m for m in REVENUE_CORE_MODELS if m not in times]
    return sum(found.values()), found, missing


def run_benchmark(scale: Scale, args, log=print) -> tuple[dict, int]:
    project = Path(args.project_dir).resolve()
    root = Path(args.scratch_dir or project / ".benchmarks").resolve() / scale.name
    accounts = args.accounts or scale.accounts
    months = args.months or scale.months
    seed = scale.seed if args.seed is None else args.seed
    settings = profile_settings(args)
    run_dir = root / "run"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    if not settings["temp_directory"]:
        settings["temp_directory"] = str(run_dir / "duckdb_tmp")
    stamp = dt.datetime.now(dt.UTC)
    results: dict = {
        "scale": scale.name,
        "timestamp": stamp.isoformat(timespec="seconds"),
        "args": {"accounts": accounts, "months": months, "seed": seed, "end_date": scale.end_date},
        "settings": settings,
        "machine": machine_info(project),
        "scratch_dir": str(root),
    }
    failed = 0

    # 0. data --------------------------------------------------------------------------------
    gen = ensure_raw(root / "raw", generator_args(accounts, months, seed, scale.end_date), log)
    usage_events = int(gen["row_counts"].get("usage_events", 0))
    t0 = time.perf_counter()
    appended = append_one_day(
        root / "raw",
        root / "raw_plus_1d",
        threads=settings["threads"],
        memory_limit=settings["memory_limit"],
        reuse=True,
    )
    results["data"] = {
        **gen,
        "usage_events": usage_events,
        "append_seconds": round(time.perf_counter() - t0, 3),
        "appended": appended.to_json(),
    }
    log(
        f"raw: {usage_events:,} usage events; +1 day ({appended.new_day}): "
        f"{appended.appended_events:,} events, {len(appended.line_changes)} billing changes"
    )

    # 1. floor -------------------------------------------------------------------------------
    log("floor: one DuckDB query over every raw table ...")
    floor = run_floor(root / "raw", settings)
    results["floor"] = {**floor, "wall_seconds": round(floor["wall_seconds"], 3)}

    # 2. dbt parse, full build -----------------------------------------------------------------
    raw_link = run_dir / "raw_current"
    _point(raw_link, root / "raw")
    env = _dbt_env(run_dir, raw_link, settings, project)
    dbt_vars = ["--vars", json.dumps({"raw_path": str(raw_link)})]
    log("dbt parse (start-up) ...")
    parse = run_dbt(
        ["parse", "--no-partial-parse", *dbt_vars],
        project_dir=project,
        target_path=run_dir / "target-parse",
        log_path=run_dir / "logs",
        env=env,
        label="parse",
    )
    results["dbt_parse"] = {
        "wall_seconds": round(parse.wall_seconds, 3),
        "status": "ok" if parse.ok else f"failed (exit {parse.returncode})",
    }
    warehouse = run_dir / "warehouse.duckdb"
    log("dbt build from scratch ...")
    full = run_dbt(
        ["build", *dbt_vars, *args.dbt_args],
        project_dir=project,
        target_path=run_dir / "target",
        log_path=run_dir / "logs",
        env=env,
        label="full_build",
    )
    results["full_build"] = _build_figures(full, usage_events, warehouse)
    if not full.ok:
        failed = 1
        log(f"dbt build failed; the end of its output:\n{full.output_tail()}")

    # 3. revenue core, on the full build's warehouse -----------------------------------------
    if full.ok:
        as_of = results["full_build"].get("as_of_date")
        hand = run_handwritten_revenue(
            root / "raw", as_of, run_dir / "handwritten.duckdb", settings
        )
        dbt_core, per_model, missing = _revenue_core_seconds(full)
        startup = parse.wall_seconds
        budget = 2 * hand["wall_seconds"] + startup
        try:
            matches = dbt_movements(warehouse) == hand["movements"]
        except duckdb.Error as exc:  # a mart renamed or missing: report, do not fail
            matches = f"not compared: {exc}"
        results["revenue_core"] = {
            "handwritten_seconds": round(hand["wall_seconds"], 3),
            "handwritten_steps": hand["steps"],
            "dbt_models_seconds": round(dbt_core, 3),
            "dbt_models": per_model,
            "dbt_models_missing": missing,
            "dbt_startup_seconds": round(startup, 3),
            "budget_seconds": round(budget, 3),
            "ratio_to_handwritten": round(dbt_core / hand["wall_seconds"], 2)
            if hand["wall_seconds"]
            else None,
            "movements_match_dbt": matches,
            "movements": hand["movements"],
        }

    # 4. incremental ---------------------------------------------------------------------------
    if full.ok and not args.skip_incremental:
        _point(raw_link, root / "raw_plus_1d")
        log(f"dbt build after one more day ({appended.new_day}) on the same warehouse ...")
        inc = run_dbt(
            ["build", *dbt_vars, *args.dbt_args],
            project_dir=project,
            target_path=run_dir / "target",
            log_path=run_dir / "logs",
            env=env,
            label="incremental_build",
        )
        results["incremental_build"] = _build_figures(inc, appended.appended_events, warehouse)
        results["incremental_build"]["appended_events"] = appended.appended_events
        if not inc.ok:
            failed = 1
            log(f"incremental dbt build failed; the end of its output:\n{inc.output_tail()}")

    # figures, ratios and targets --------------------------------------------------------------
    floor_s = results["floor"]["wall_seconds"]
    figures = {
        "floor_seconds": floor_s,
        "full_build_seconds": results["full_build"]["wall_seconds"],
        "incremental_seconds": results.get("incremental_build", {}).get("wall_seconds"),
        "peak_rss_bytes": max(
            (
                results[k]["peak_rss_bytes"]
                for k in ("full_build", "incremental_build")
                if results.get(k, {}).get("peak_rss_bytes") is not None
            ),
            default=None,
        ),
        "revenue_core_dbt_seconds": results.get("revenue_core", {}).get("dbt_models_seconds"),
        "revenue_core_budget_seconds": results.get("revenue_core", {}).get("budget_seconds"),
    }
    results["figures"] = figures
    results["ratios_to_floor"] = {
        k: round(v / floor_s, 2) if v is not None and floor_s else None
        for k, v in (
            ("floor", floor_s),
            ("full_build", figures["full_build_seconds"]),
            ("incremental_build", figures["incremental_seconds"]),
        )
    }
    targets = []
    for target in scale.targets:
        measured = figures.get(target.key)
        limit = target.limit_value(figures)
        passed = None if measured is None or limit is None else measured <= limit
        targets.append(
            {"target": target.label, "figure": target.key, "measured": measured,
             "limit": _round(limit), "passed": passed}
        )  # fmt: skip
    results["targets"] = targets
    results["load_average_at_end"] = _load()
    return results, failed


# --------------------------------------------------------------------------------------------
# output


def _s(value) -> str:
    return "-" if value is None else f"{value:,.1f} s"


def _gb(value) -> str:
    return "-" if value is None else f"{value / 1e9:.2f} GB"


def format_report(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"NRR benchmark, scale {r['scale']}: {r['args']['accounts']:,} accounts x "
        f"{r['args']['months']} months, {r['data']['usage_events']:,} usage events",
        f"machine: {m['cpu_count']} cpus, {_gb(m['memory_bytes'])}, {m['platform']}; "
        f"duckdb {m['duckdb']}, dbt-core {m['dbt_core']}, dbt-duckdb {m['dbt_duckdb']}",
        f"settings: threads {r['settings']['threads']}, memory_limit "
        f"{r['settings']['memory_limit']}; load average at start {m['load_average_at_start']}, "
        f"at end {r.get('load_average_at_end')}",
        "",
        f"{'':<34}{'wall':>10}{'x floor':>9}{'peak RSS':>11}{'start-up':>10}",
    ]
    ratios = r["ratios_to_floor"]
    lines.append(f"{'floor (one DuckDB query)':<34}{_s(r['floor']['wall_seconds']):>10}{1:>9.1f}")
    for key, label in (("full_build", "full dbt build"), ("incremental_build", "incremental")):
        b = r.get(key)
        if not b:
            continue
        ratio = ratios.get(key)
        lines.append(
            f"{label + ' (' + b['status'] + ')':<34}{_s(b['wall_seconds']):>10}"
            f"{'-' if ratio is None else f'{ratio:.1f}':>9}{_gb(b['peak_rss_bytes']):>11}"
            f"{_s(b['startup_seconds']):>10}"
        )
    lines.append(f"{'dbt parse (full, start-up)':<34}{_s(r['dbt_parse']['wall_seconds']):>10}")
    for key, label in (("full_build", "full build"), ("incremental_build", "incremental run")):
        b = r.get(key)
        if not b:
            continue
        u = b["usage_pipeline"]
        rate = "-" if u["rows_per_second"] is None else f"{u['rows_per_second']:,} rows/s"
        events = "raw usage events" if key == "full_build" else "new usage events"
        lines += [
            "",
            f"{label}: as_of_date {b.get('as_of_date')}, node status {b['node_status']}",
            f"  usage pipeline ({len(u['models'])} models): {u['seconds']:.2f} s for "
            f"{u['usage_events']:,} {events} = {rate}",
            "  slowest models:",
        ]
        for row in b["slowest_models"]:
            lines.append(f"    {row['execution_time']:>8.2f} s  {row['unique_id']}")
        lines.append("  marts by domain (each mart, slowest first; - when not run):")
        for domain, rows in b.get("marts_by_domain", {}).items():
            total = sum(row["execution_time"] or 0.0 for row in rows)
            shown = ", ".join(
                f"{row['unique_id'].rsplit('.', 1)[-1]} "
                + ("-" if row["execution_time"] is None else f"{row['execution_time']:.2f}")
                for row in rows
            )
            lines.append(f"    {total:>8.2f} s  {domain} ({len(rows)}): {shown}")
    rc = r.get("revenue_core")
    if rc:
        lines += [
            "",
            "revenue core (line items -> month-end ARR -> movements -> waterfall):",
            f"  hand-written DuckDB {rc['handwritten_seconds']:.2f} s; dbt models "
            f"{rc['dbt_models_seconds']:.2f} s (x{rc['ratio_to_handwritten']}); dbt start-up "
            f"{rc['dbt_startup_seconds']:.2f} s; budget 2 x hand + start-up = "
            f"{rc['budget_seconds']:.2f} s; movements match dbt: {rc['movements_match_dbt']}",
        ]
        if rc["dbt_models_missing"]:
            lines.append(f"  (models not in run_results: {', '.join(rc['dbt_models_missing'])})")
    lines += ["", "targets:"]
    if not r["targets"]:
        others = "; ".join(
            f"{name}: " + ", ".join(t.label for t in scale.targets)
            for name, scale in SCALES.items()
            if scale.targets
        )
        lines.append(f"  none at scale {r['scale']} ({others})")
    for t in r["targets"]:
        verdict = {True: "PASS", False: "FAIL", None: "n/a "}[t["passed"]]
        unit = _gb if t["figure"].endswith("bytes") else _s
        lines.append(
            f"  {verdict}  {t['target']:<48} measured {unit(t['measured'])}, limit "
            f"{unit(t['limit'])}"
        )
    return "\n".join(lines)


def write_results(results: dict, scratch: Path) -> tuple[Path, Path]:
    scratch.mkdir(parents=True, exist_ok=True)
    stamp = results["timestamp"].replace(":", "").replace("-", "").replace("+0000", "Z")
    path = scratch / f"results-{stamp}.json"
    text = json.dumps(results, indent=2, default=str) + "\n"
    path.write_text(text, encoding="utf-8")
    latest = scratch / "latest.json"
    latest.write_text(text, encoding="utf-8")
    return path, latest


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m nrr_engine.benchmark",
        description="Benchmark the dbt build against the DuckDB floor: full build, incremental "
        "run after one more day, revenue core vs hand-written SQL. Writes "
        ".benchmarks/<scale>/latest.json.",
    )
    p.add_argument("--scale", choices=sorted(SCALES), default="small")
    p.add_argument("--accounts", type=int, help="override the scale's account count")
    p.add_argument("--months", type=int, help="override the scale's months (36)")
    p.add_argument("--seed", type=int, help="generator seed (42)")
    p.add_argument("--scratch-dir", help="default: <project>/.benchmarks")
    p.add_argument("--project-dir", default=str(PROJECT_DIR), help="the dbt project")
    p.add_argument("--threads", type=int, help="default: $NRR_THREADS or 2 (the profile's)")
    p.add_argument("--memory-limit", help="default: $NRR_DUCKDB_MEMORY_LIMIT or 4GB")
    p.add_argument("--temp-dir", help="default: $NRR_DUCKDB_TEMP_DIR or <scratch>/run/duckdb_tmp")
    p.add_argument("--skip-incremental", action="store_true")
    p.add_argument("--strict", action="store_true", help="exit 2 when a target of the scale fails")
    p.add_argument(
        "--dbt-args",
        nargs=argparse.REMAINDER,
        default=[],
        help="extra arguments for both dbt builds (last on the line), "
        "e.g. --dbt-args --exclude tag:x",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    scale = SCALES[args.scale]
    results, failed = run_benchmark(scale, args)
    path, latest = write_results(results, Path(results["scratch_dir"]))
    print()
    print(format_report(results))
    print(f"\nwrote {path} and {latest.name}")
    sys.stdout.flush()
    if failed:
        return 1
    if args.strict and any(t["passed"] is False for t in results["targets"]):
        return 2
    return 0
