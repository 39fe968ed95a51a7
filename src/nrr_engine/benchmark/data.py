"""Raw data of the benchmark: the cached generated book and the same book plus one more day.

``append_one_day`` is also what tests/python/test_incremental.py runs, so the incremental
benchmark and the incremental-equals-full-rebuild test exercise the same change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from ..generate.schema import TABLES

#: bump when append_one_day changes what it writes (invalidates cached appended folders)
APPEND_VERSION = 1
APPEND_MANIFEST = "append_manifest.json"
GENERATOR_MANIFEST = "generator_manifest.json"


# --------------------------------------------------------------------------------------------
# the generated book, cached between runs


def generator_args(accounts: int, months: int, seed: int, end_date: str) -> dict:
    """The `args` block generator_manifest.json must hold for a cached folder to be reused."""
    return {
        "accounts": accounts,
        "months": months,
        "seed": seed,
        "end_date": end_date,
        "format": "parquet",
    }


def _manifest_args(folder: Path) -> dict | None:
    try:
        return json.loads((folder / GENERATOR_MANIFEST).read_text(encoding="utf-8"))["args"]
    except (OSError, ValueError, KeyError):
        return None


def ensure_raw(folder: Path, args: dict, log=print) -> dict:
    """Generate the book into ``folder`` unless its generator_manifest.json already matches.

    Returns {"raw_path", "cached", "generate_seconds", "row_counts"}.
    """
    cached = _manifest_args(folder) == args
    seconds = None
    if not cached:
        if folder.exists():
            shutil.rmtree(folder)
        log(f"generating {args['accounts']:,} accounts x {args['months']} months into {folder}")
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable, "-m", "nrr_engine.generate",
                "--accounts", str(args["accounts"]), "--months", str(args["months"]),
                "--seed", str(args["seed"]), "--end-date", args["end_date"],
                "--format", args["format"], "--out", str(folder),
            ],
            check=True,
        )  # fmt: skip
        seconds = time.perf_counter() - t0
    else:
        log(f"reusing generated book {folder} (generator_manifest.json matches)")
    manifest = json.loads((folder / GENERATOR_MANIFEST).read_text(encoding="utf-8"))
    return {
        "raw_path": str(folder),
        "cached": cached,
        "generate_seconds": seconds,
        "row_counts": manifest.get("row_counts", {}),
    }


# --------------------------------------------------------------------------------------------
# one more day of events and billing changes


@dataclass
class AppendSummary:
    """What append_one_day wrote."""

    source: str
    target: str
    new_day: str  # the appended day (last usage day + 1)
    copied_from_day: str  # whose events were shifted
    appended_events: int
    appended_sessions: int
    usage_events_total: int
    #: the billing changes dated new_day: (kind, line_item_id, account_id)
    line_changes: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def _sql_str(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _next_ids(max_id: str | None, fallback_prefix: str) -> tuple[str, int, int]:
    """(prefix, last number, zero-padded width) of ids like E0000000042."""
    match = re.fullmatch(r"(\D*)(\d+)", max_id or "")
    if not match:
        return fallback_prefix, 0, 1
    return match.group(1), int(match.group(2)), len(match.group(2))


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _fingerprint(folder: Path) -> str:
    """Hash of the source folder's generator manifest (or of file names, sizes and times)."""
    manifest = folder / GENERATOR_MANIFEST
    if manifest.exists():
        return hashlib.sha256(manifest.read_bytes()).hexdigest()
    parts = sorted(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in folder.iterdir())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def connect(
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: str | Path | None = None,
    database: str | Path = ":memory:",
) -> duckdb.DuckDBPyConnection:
    """A fresh DuckDB connection with the settings of the dbt profile (profiles/profiles.yml)."""
    config: dict = {"preserve_insertion_order": False}
    if threads:
        config["threads"] = int(threads)
    if memory_limit:
        config["memory_limit"] = str(memory_limit)
    if temp_directory:
        config["temp_directory"] = str(temp_directory)
    con = duckdb.connect(str(database), config=config)
    # not settable in the connect config: ICU's time zone, and the (session) progress bar
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")
    return con


def append_one_day(
    source: str | Path,
    target: str | Path,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    reuse: bool = False,
) -> AppendSummary:
    """Write ``target``: a copy of the raw folder ``source`` with one more day of data.

    - usage_events: every event of the last day, shifted by +1 day, with new event ids and new
      session ids, appended after the existing events;
    - subscription_line_items, dated that new day D: a new line for a paying account (copy of
      one of its active lines: an expansion), a new line for an account that has stopped paying
      (a return), and one active line of another paying account ending on D (end_date is
      exclusive, so the line no longer counts on D);
    - every other file (and generator_manifest.json) is hard-linked or copied unchanged.

    Parquet folders only (what the generator writes by default). With ``reuse``, a target that
    already holds the output for this source (append_manifest.json) is kept as it is.
    """
    src, dst = Path(source), Path(target)
    usage = src / "usage_events.parquet"
    lines = src / "subscription_line_items.parquet"
    if not usage.exists() or not lines.exists():
        raise FileNotFoundError(
            f"{src} needs usage_events.parquet and subscription_line_items.parquet "
            "(append_one_day handles parquet raw folders only)"
        )
    fingerprint = _fingerprint(src)
    if reuse and (dst / APPEND_MANIFEST).exists():
        previous = json.loads((dst / APPEND_MANIFEST).read_text(encoding="utf-8"))
        if previous.get("source_fingerprint") == fingerprint and (
            previous.get("append_version") == APPEND_VERSION
        ):
            summary = AppendSummary(**previous["summary"])
            summary.source, summary.target = str(src), str(dst)
            return summary
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)

    con = connect(threads, memory_limit)
    try:
        summary = _append(con, src, dst, usage, lines)
    finally:
        con.close()

    for path in sorted(src.iterdir()):
        if path.is_file() and not (dst / path.name).exists() and path.name != APPEND_MANIFEST:
            _link_or_copy(path, dst / path.name)
    (dst / APPEND_MANIFEST).write_text(
        json.dumps(
            {
                "append_version": APPEND_VERSION,
                "source_fingerprint": fingerprint,
                "summary": summary.to_json(),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return summary


def _append(con, src: Path, dst: Path, usage: Path, lines: Path) -> AppendSummary:
    usage_sql = f"read_parquet({_sql_str(usage)})"
    lines_sql = f"read_parquet({_sql_str(lines)})"
    last_day, max_event, max_session, total = con.execute(
        f"select max(occurred_at)::date, max(event_id), max(session_id), count(*) from {usage_sql}"
    ).fetchone()
    if last_day is None:
        raise ValueError(f"{usage} holds no events")
    new_day = last_day + dt.timedelta(days=1)
    e_prefix, e_last, e_width = _next_ids(max_event, "E+")
    s_prefix, s_last, s_width = _next_ids(max_session, "S+")

    # the last day's events, one day later, numbered after the existing ids (in a stable order)
    shifted = f"""
        select
            {_sql_str(e_prefix)} || lpad(cast({e_last} + row_number() over (
                order by occurred_at, event_id) as varchar), {e_width}, '0') as event_id,
            account_id,
            user_id,
            occurred_at + interval 1 day as occurred_at,
            feature,
            {_sql_str(s_prefix)} || lpad(cast({s_last} + dense_rank() over (
                order by session_id) as varchar), {s_width}, '0') as session_id
        from {usage_sql}
        where occurred_at >= timestamptz '{last_day} 00:00:00+00'
            and occurred_at < timestamptz '{new_day} 00:00:00+00'
    """
    appended, sessions = con.execute(
        f"select count(*), count(distinct session_id) from ({shifted})"
    ).fetchone()
    # the source's column order and types; the new day after the existing rows
    con.execute(
        f"""
        copy (
            select * from {usage_sql}
            union all
            select * from ({shifted})
        ) to {_sql_str(dst / "usage_events.parquet")}
        (format parquet, compression zstd, row_group_size 1048576)
        """
    )

    changes = _line_changes(con, lines_sql, new_day)
    day = f"date '{new_day}'"
    ended = [c["line_item_id"] for c in changes if c["kind"] == "line_ended"]
    parts = [
        f"""
        select * replace (
            case when line_item_id in ({", ".join(map(_sql_str, ended)) or "null"})
                then {day} else end_date end as end_date
        )
        from {lines_sql}
        """
    ]
    for change in changes:
        if change["kind"] == "line_ended":
            continue
        # a copy of the template line, starting on the new day; a line with an end date runs
        # for one interval
        parts.append(
            f"""
            select * replace (
                {_sql_str(change["line_item_id"])} as line_item_id,
                {day} as start_date,
                case when end_date is not null then cast(
                    {day} + to_months(cast(interval_months as integer)) as date
                ) end as end_date
            )
            from {lines_sql}
            where line_item_id = {_sql_str(change["source_line_item_id"])}
            """
        )
    con.execute(
        f"copy ({' union all '.join(parts)}) to "
        f"{_sql_str(dst / 'subscription_line_items.parquet')} (format parquet, compression zstd)"
    )
    return AppendSummary(
        source=str(src),
        target=str(dst),
        new_day=str(new_day),
        copied_from_day=str(last_day),
        appended_events=int(appended),
        appended_sessions=int(sessions),
        usage_events_total=int(total) + int(appended),
        line_changes=changes,
    )


def _line_changes(con, lines_sql: str, new_day: dt.date) -> list[dict]:
    """Pick, deterministically, the billing changes dated ``new_day``."""
    day = f"date '{new_day}'"
    paid = f"""
        select * from {lines_sql}
        where line_type = 'recurring' and quantity * unit_price * (1 - discount_pct) > 0
    """
    # paid recurring lines active on the day before new_day and still active on new_day
    active = con.execute(
        f"""
        select line_item_id, account_id
        from ({paid})
        where start_date < {day} and (end_date is null or end_date > {day})
        order by account_id, line_item_id
        """
    ).fetchall()
    # accounts that paid once, with no recurring line on the day before new_day or later: the
    # latest paid line is the template of their return
    lapsed = con.execute(
        f"""
        with covered as (
            select distinct account_id from {lines_sql}
            where line_type = 'recurring' and (end_date is null or end_date >= {day})
        ),
        latest as (
            select
                line_item_id,
                account_id,
                row_number() over (
                    partition by account_id order by start_date desc, line_item_id desc
                ) as recency
            from ({paid})
            where account_id not in (select account_id from covered)
        )
        select line_item_id, account_id
        from latest
        where recency = 1
        order by account_id
        limit 1
        """
    ).fetchall()
    max_line = con.execute(f"select max(line_item_id) from {lines_sql}").fetchone()[0]
    prefix, last, width = _next_ids(max_line, "L+")

    def new_id() -> str:
        nonlocal last
        last += 1
        return f"{prefix}{str(last).zfill(width)}"

    changes: list[dict] = []
    if active:
        line_id, account = active[0]
        changes.append(
            {
                "kind": "line_added_paying_account",
                "line_item_id": new_id(),
                "source_line_item_id": line_id,
                "account_id": account,
            }
        )
        other = next((row for row in active if row[1] != account), None)
        if other:
            changes.append(
                {
                    "kind": "line_ended",
                    "line_item_id": other[0],
                    "source_line_item_id": other[0],
                    "account_id": other[1],
                }
            )
    if lapsed:
        line_id, account = lapsed[0]
        changes.append(
            {
                "kind": "line_added_lapsed_account",
                "line_item_id": new_id(),
                "source_line_item_id": line_id,
                "account_id": account,
            }
        )
    return changes


def raw_tables(folder: Path) -> dict[str, Path]:
    """The raw contract's tables found in ``folder`` (parquet preferred over csv)."""
    found = {}
    for table in TABLES:
        for ext in ("parquet", "csv"):
            if (folder / f"{table}.{ext}").exists():
                found[table] = folder / f"{table}.{ext}"
                break
    return found
