"""PostgreSQL side of the warehouse commands: connections and the raw-table writer.

Connection settings are the environment variables of the `postgres` target of
profiles/profiles.yml, with the same defaults: NRR_PG_HOST (127.0.0.1), NRR_PG_PORT (5432),
NRR_PG_USER (dbt), NRR_PG_PASSWORD (dbt), NRR_PG_DATABASE (warehouse).
"""

from __future__ import annotations

import io
import os

import psycopg2
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg2 import sql

from nrr_engine.warehouses.load_raw import RawTable

#: The Postgres type of each contract type: the types the contract check casts to on Postgres
#: (macros/raw/contract_sql_type.sql through dbt's type macros).
SQL_TYPES = {
    "string": "text",
    "integer": "bigint",
    "number": "numeric",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}


def connection_settings(database: str | None = None) -> dict:
    return {
        "host": os.environ.get("NRR_PG_HOST", "127.0.0.1"),
        "port": int(os.environ.get("NRR_PG_PORT", "5432")),
        "user": os.environ.get("NRR_PG_USER", "dbt"),
        "password": os.environ.get("NRR_PG_PASSWORD", "dbt"),
        "dbname": database or os.environ.get("NRR_PG_DATABASE", "warehouse"),
    }


def connect(database: str | None = None):
    """A psycopg2 connection to the target's database (or `database`)."""
    return psycopg2.connect(**connection_settings(database))


def _csv_bytes(table: pa.Table) -> bytes:
    """The rows as CSV for COPY: null is an empty unquoted field, empty text is quoted."""
    buffer = io.BytesIO()
    pa_csv.write_csv(
        table,
        buffer,
        write_options=pa_csv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    return buffer.getvalue()


def write_raw_tables(tables: list[RawTable], schema: str, database: str | None = None) -> None:
    """Replace each table in `schema` (created if absent) with its typed columns and rows, in
    one transaction, loaded with COPY."""
    with connect(database) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        for table in tables:
            name = sql.Identifier(schema, table.name)
            columns = sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(column), sql.SQL(SQL_TYPES[kind]))
                for column, kind in table.columns
            )
            cur.execute(sql.SQL("drop table if exists {} cascade").format(name))
            cur.execute(sql.SQL("create table {} ({})").format(name, columns))
            if table.data.num_rows:
                copy = sql.SQL("copy {} from stdin with (format csv)").format(name)
                cur.copy_expert(copy.as_string(cur), io.BytesIO(_csv_bytes(table.data)))
        cur.execute(sql.SQL("analyze"))
    conn.close()


def query(sql_text: str, database: str | None = None) -> list[tuple]:
    with connect(database) as conn, conn.cursor() as cur:
        cur.execute(sql_text)
        rows = cur.fetchall()
    conn.close()
    return rows
