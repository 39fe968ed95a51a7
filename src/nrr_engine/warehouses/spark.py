"""Spark backend of the warehouses commands: a local Spark session with the settings of the dbt
profile's `spark` target, and the raw-table writer of `nrr-load-raw --target spark`.

dbt-spark's `session` method starts pyspark in-process; its tables are parquet files under the
warehouse folder and its catalog is an embedded Derby metastore, both under `NRR_SPARK_DIR`
(profiles/profiles.yml). A command that writes tables for dbt to read must open a session with
the very same settings, so they are read from the profile, never repeated here. Derby admits one
JVM at a time: run the loader, dbt and the calibration command one after the other.

This module runs where pyspark is installed (the project's `.venv-spark`, `make spark-setup`).
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import yaml

if TYPE_CHECKING:  # pragma: no cover - type names only
    import pandas as pd
    import pyarrow as pa
    from pyspark.sql import SparkSession

    from nrr_engine.warehouses.load_raw import RawTable

PROJECT_DIR = Path(__file__).resolve().parents[3]
PROFILE_NAME = "nrr_engine"
TARGET_NAME = "spark"

#: The Spark SQL type of each raw contract type (nrr_engine.quality.contract). Numbers are
#: doubles, as in the raw parquet files and the Arrow tables of the loader; the staging
#: contract check casts each column to its SQL type (macros/raw/contract_sql_type.sql).
SPARK_TYPES: dict[str, str] = {
    "string": "string",
    "integer": "bigint",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}


def _env_var(name: str, default: str | None = None) -> str:
    if name in os.environ:
        return os.environ[name]
    if default is None:
        raise KeyError(f"environment variable {name} is not set and has no default")
    return default


def profile_parameters(profiles_dir: str | Path | None = None) -> dict[str, str]:
    """The `server_side_parameters` of the profile's spark target, rendered as dbt renders
    them (`env_var` with its default), so a session opened here is the one dbt opens."""
    directory = Path(profiles_dir or os.environ.get("DBT_PROFILES_DIR") or PROJECT_DIR / "profiles")
    profile = yaml.safe_load((directory / "profiles.yml").read_text())[PROFILE_NAME]
    target = profile["outputs"][TARGET_NAME]
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return {
        str(key): environment.from_string(str(value)).render(env_var=_env_var)
        for key, value in target["server_side_parameters"].items()
    }


_SESSION: list = []


def spark_session(parameters: Mapping[str, str] | None = None) -> SparkSession:
    """The process's local Spark session with Hive support (the Derby metastore), configured
    as dbt's; started once, stopped when the process exits."""
    if _SESSION:
        return _SESSION[0]
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.appName("nrr_engine").enableHiveSupport()
    for key, value in (parameters or profile_parameters()).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _SESSION.append(session)
    atexit.register(session.stop)
    return session


def qualified(schema: str, name: str, database: str | None = None) -> str:
    """`[catalog.]schema.table`, each part quoted with backticks."""
    parts = [database, schema, name] if database else [schema, name]
    return ".".join(f"`{part}`" for part in parts)


def write_raw_tables(tables: list[RawTable], schema: str, database: str | None = None) -> None:
    """Replace each table in `schema` (created if absent; `database` is a Spark catalog) with
    exactly its columns, typed by SPARK_TYPES, and its rows, as parquet tables of the warehouse
    that dbt's spark target reads."""
    session = spark_session()
    namespace = f"`{database}`.`{schema}`" if database else f"`{schema}`"
    session.sql(f"create schema if not exists {namespace}")
    for table in tables:
        frame = session.createDataFrame(table.data)
        frame = frame.select(
            *(
                frame[f"`{name}`"].cast(SPARK_TYPES[kind]).alias(name)
                for name, kind in table.columns
            )
        )
        # one file per table: the raw tables are read whole, and small files cost more
        frame.coalesce(1).write.mode("overwrite").format("parquet").saveAsTable(
            qualified(schema, table.name, database)
        )


def read_table(schema: str, table: str) -> pa.Table:
    """A whole table as Arrow (nrr-calibrate-warehouse reads its inputs with this)."""
    return spark_session().table(qualified(schema, table)).toArrow()


def write_frames(frames: dict[str, pd.DataFrame], schema: str) -> None:
    """Replace each table `schema.<name>` with its frame, as a parquet table
    (nrr-calibrate-warehouse writes the calibration models' results with this). Through Arrow:
    pyspark's own pandas conversion predates pandas 3."""
    import pyarrow as pa

    session = spark_session()
    session.sql(f"create schema if not exists `{schema}`")
    for name, frame in frames.items():
        arrow_table = pa.Table.from_pandas(frame, preserve_index=False)
        session.createDataFrame(arrow_table).coalesce(1).write.mode("overwrite").format(
            "parquet"
        ).saveAsTable(qualified(schema, name))


def query_rows(sql_text: str) -> list[tuple]:
    """The rows of a query, as tuples (for checks and tests)."""
    return [tuple(row) for row in spark_session().sql(sql_text).collect()]


def export_tables(relations: list[str], out_dir: str | Path) -> None:
    """Write each `schema.table` to `out_dir/schema.table.parquet` (the test suite compares
    Spark's marts with DuckDB's from the main environment, which has no pyspark)."""
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for relation in relations:
        schema, table = relation.split(".", 1)
        pq.write_table(read_table(schema, table), out / f"{relation}.parquet")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m nrr_engine.warehouses.spark",
        description="Tables of the local Spark warehouse (NRR_SPARK_DIR) as parquet files.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write schema.table to OUT/schema.table.parquet")
    export.add_argument("--out", required=True)
    export.add_argument("relations", nargs="+", metavar="schema.table")
    args = parser.parse_args(argv)
    export_tables(args.relations, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
