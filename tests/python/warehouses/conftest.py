"""Builds on a real PostgreSQL server, and the row-for-row comparison with DuckDB.

`postgres_server` (session): the server given by NRR_PG_HOST / NRR_PG_PORT (with NRR_PG_USER,
NRR_PG_PASSWORD; the role must be allowed to create databases) when NRR_PG_HOST is set, else a
throwaway cluster started for the test session (nrr_engine.warehouses.postgres_server) and
stopped at its end. With pytest-xdist `--dist loadfile` only the worker that runs
test_postgres.py starts one.

Every build gets its own database on that server (the Postgres counterpart of a warehouse
file): raw tables loaded with `nrr-load-raw`, then dbt through the shared `run_dbt`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from conftest import run_dbt
from nrr_engine.warehouses import postgres_server as pg_server

LOAD_RAW = Path(sys.executable).parent / "nrr-load-raw"


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    if os.environ.get("NRR_PG_HOST"):
        yield pg_server.PostgresServer(
            host=os.environ["NRR_PG_HOST"],
            port=int(os.environ.get("NRR_PG_PORT", "5432")),
            user=os.environ.get("NRR_PG_USER", "dbt"),
            password=os.environ.get("NRR_PG_PASSWORD", "dbt"),
            database=os.environ.get("NRR_PG_DATABASE", "warehouse"),
            data_dir="",
            bin_dir="",
            run_as=None,
        )
        return
    server = pg_server.start(tmp_path_factory.mktemp("postgres"))
    try:
        yield server
    finally:
        pg_server.stop(server)


@dataclass
class PostgresBuild:
    """A finished dbt invocation on Postgres and the database it wrote (the same query helpers
    as conftest.Build, so the reference checks read either)."""

    server: pg_server.PostgresServer
    database: str
    raw_path: Path
    work_dir: Path
    returncode: int
    output: str

    def env(self) -> dict[str, str]:
        return self.server.env() | {"NRR_PG_DATABASE": self.database}

    def _cursor_rows(self, sql: str, params=None) -> tuple[list[str], list[tuple]]:
        with psycopg2.connect(self.server.dsn(self.database)) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
        conn.close()
        return names, rows

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return self._cursor_rows(sql, params)[1]

    def dicts(self, sql: str) -> list[dict]:
        names, rows = self._cursor_rows(sql)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def dbt(self, command: str = "build", **kwargs):
        """Another dbt invocation on this build's database."""
        return run_dbt(
            self.work_dir, self.raw_path, command, target="postgres", extra_env=self.env(),
            **kwargs,
        )  # fmt: skip


def create_database(server: pg_server.PostgresServer, name: str | None = None) -> str:
    name = name or f"nrr_{uuid.uuid4().hex[:12]}"
    conn = psycopg2.connect(server.dsn("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'create database "{name}"')
        cur.execute(f'alter database "{name}" set jit = off')
    conn.close()
    return name


def load_raw(server, database: str, raw_path: Path) -> str:
    result = subprocess.run(
        [str(LOAD_RAW), "--target", "postgres", "--raw-path", str(raw_path)],
        env={**os.environ, **server.env(), "NRR_PG_DATABASE": database},
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def postgres_build(server, work_dir: Path, raw_path: Path, **kwargs) -> PostgresBuild:
    """A new database, the raw folder loaded into it, then `dbt build` (kwargs: run_dbt's)."""
    database = create_database(server)
    load_raw(server, database, raw_path)
    env = server.env() | {"NRR_PG_DATABASE": database}
    build = run_dbt(work_dir, raw_path, target="postgres", extra_env=env, **kwargs)
    return PostgresBuild(server, database, Path(raw_path), work_dir, build.returncode, build.output)


def postgres_build_ok(server, work_dir: Path, raw_path: Path, **kwargs) -> PostgresBuild:
    build = postgres_build(server, work_dir, raw_path, **kwargs)
    assert build.returncode == 0, build.output[-6000:]
    return build


# --- comparing a mart on two warehouses --------------------------------------------------------

#: Numbers agree within a cent: amounts are cents on both sides, scores and shares are rounded
#: to two or more places (a half-way case may round one step apart), ratios keep six places.
NUMBER_TOLERANCE = 0.01 + 1e-9


def mart_relations(manifest_path: Path, folders: tuple[str, ...]) -> list[tuple[str, str]]:
    """(schema, table) of every model under models/marts/<folder> for `folders`, read from a
    build's manifest.json (so aliases count)."""
    manifest = json.loads(Path(manifest_path).read_text())
    marts = []
    for node in manifest["nodes"].values():
        path = Path(node.get("original_file_path", ""))
        is_model = node["resource_type"] == "model"
        if is_model and path.parts[:2] == ("models", "marts") and path.parts[2] in folders:
            marts.append((node["schema"], node["alias"]))
    return sorted(marts)


def _normal(value):
    """One comparable form of a value from either driver."""
    if isinstance(value, decimal.Decimal | float | int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def _sort_key(row: tuple) -> tuple:
    # numbers rounded to a cent for ordering, so two sides a rounding step apart sort alike;
    # nulls first
    return tuple(
        (0, "") if v is None else (1, f"{round(v, 2):020.2f}" if isinstance(v, float) else str(v))
        for v in row
    )


def compare_rows(
    names: list[str], duck_rows: list[tuple], other_rows: list[tuple], skip: set[str]
) -> list[str]:
    """Differences between two sets of rows of one mart (empty when they agree): the same count,
    and row by row (both sorted the same way) equal values, numbers within NUMBER_TOLERANCE."""
    keep = [i for i, name in enumerate(names) if name not in skip]
    duck = sorted((tuple(_normal(r[i]) for i in keep) for r in duck_rows), key=_sort_key)
    other = sorted((tuple(_normal(r[i]) for i in keep) for r in other_rows), key=_sort_key)
    if len(duck) != len(other):
        return [f"{len(duck)} rows on DuckDB, {len(other)} on the other warehouse"]
    problems = []
    for duck_row, other_row in zip(duck, other, strict=True):
        for position, (a, b) in enumerate(zip(duck_row, other_row, strict=True)):
            name = names[keep[position]]
            if isinstance(a, float) and isinstance(b, float):
                if abs(a - b) > NUMBER_TOLERANCE:
                    problems.append(f"{name}: {a} vs {b} in {duck_row}")
            elif a != b:
                problems.append(f"{name}: {a!r} vs {b!r} in {duck_row}")
    return problems
