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


#: Arrow type of a Postgres column type (cursor.description type codes, pg_type OIDs).
_ARROW_OF_OID = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int64(),
    23: pa.int64(),
    700: pa.float64(),
    701: pa.float64(),
    1700: pa.float64(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
}


def read_table(schema: str, table: str, database: str | None = None) -> pa.Table:
    """A whole table as Arrow, typed from the column types (numeric as float64, as a DuckDB
    Python model's frame has it; other types as text)."""
    with connect(database) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("select * from {}").format(sql.Identifier(schema, table)))
        names = [d.name for d in cur.description]
        types = [_ARROW_OF_OID.get(d.type_code, pa.string()) for d in cur.description]
        rows = cur.fetchall()
    conn.close()
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    arrays = []
    for values, arrow_type in zip(columns, types, strict=True):
        if arrow_type == pa.float64():
            values = [None if v is None else float(v) for v in values]
        elif arrow_type == pa.string():
            values = [None if v is None else str(v) for v in values]
        arrays.append(pa.array(values, type=arrow_type))
    return pa.Table.from_arrays(arrays, names=names)


def _sql_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "bigint"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "double precision"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamptz" if arrow_type.tz else "timestamp"
    return "text"


def write_frames(frames: dict, schema: str, database: str | None = None) -> None:
    """Replace each table `schema.<name>` with a pandas frame (the tables of a dbt Python
    model), in one transaction, loaded with COPY."""
    with connect(database) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        for name, frame in frames.items():
            table = pa.Table.from_pandas(frame, preserve_index=False)
            # text columns of mixed or null-only objects: as text
            table = pa.Table.from_arrays(
                [
                    column.cast(pa.string()) if pa.types.is_null(column.type) else column
                    for column in table.columns
                ],
                names=table.column_names,
            )
            relation = sql.Identifier(schema, name)
            columns = sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(field.name), sql.SQL(_sql_type(field.type)))
                for field in table.schema
            )
            cur.execute(sql.SQL("drop table if exists {} cascade").format(relation))
            cur.execute(sql.SQL("create table {} ({})").format(relation, columns))
            if table.num_rows:
                copy = sql.SQL("copy {} from stdin with (format csv)").format(relation)
                cur.copy_expert(copy.as_string(cur), io.BytesIO(_csv_bytes(table)))
    conn.close()


def query(sql_text: str, database: str | None = None) -> list[tuple]:
    with connect(database) as conn, conn.cursor() as cur:
        cur.execute(sql_text)
        rows = cur.fetchall()
    conn.close()
    return rows
