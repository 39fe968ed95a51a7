"""`nrr-load-raw`: create the `raw` schema tables of a warehouse from a raw folder.

On DuckDB the raw exports are files, exposed as views at the start of every run
(macros/raw/register_raw_files.sql). Other warehouses read the `raw` source as tables that already
exist: this command creates them from the same folder, so the demo and the tests run everywhere.

    nrr-load-raw --target postgres --raw-path data/demo [--schema raw] [--database DB]
    nrr-load-raw --target spark --raw-path data/demo

What it does, per table of the raw contract (models/staging/raw/_raw__sources.yml, read with
nrr_engine.quality.contract), with the rules of the DuckDB path:

- `<table>.parquet` or `<table>.csv` (parquet first); a table that is not `required` and has no
  file is created empty, with its contract columns; a missing required file, a missing required
  column, or a row not in USD without an fx_rates file stops the load with every problem named.
- Contract columns only (matched case-insensitively, extra columns ignored). A column absent from
  the file is its contract `default` on every row when it has one, else null (it is nullable).
- Each column is typed as its contract says (string -> text, integer -> bigint, number ->
  numeric, boolean, date, timestamp) when every value converts (text trimmed first, empty text
  null, as the contract check reads it). A column with a value that does not convert is loaded
  as text, with a note: the staging contract check then quarantines the bad rows, as it does on
  DuckDB (whose CSV views are text); nothing is guessed here. Timestamps with a zone offset are
  converted to UTC.
- The tables are replaced (drop and create), so a load is repeatable.

A company whose raw tables already live in its warehouse does not need this: it points the
`raw` source at them with the vars `raw_schema` and `raw_database` (dbt_project.yml).

Backends: the Postgres writer is nrr_engine.warehouses.postgres.write_raw_tables; `--target
spark` calls nrr_engine.warehouses.spark.write_raw_tables. Both take the same arguments, see
`RawTableWriter`.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from nrr_engine.quality.contract import BASE_CURRENCY, TableContract, load_raw_contract

PROJECT_DIR = Path(__file__).resolve().parents[3]

#: The Arrow type of each contract type. A backend maps the contract type to its SQL type.
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}

#: The backends of --target: module nrr_engine.warehouses.<name>, function write_raw_tables.
TARGETS = ("postgres", "spark")


@dataclass
class RawTable:
    """One raw table, ready to write.

    name: the contract table name (`accounts`, ...)
    columns: (column name, type) in contract order; type is a contract type (string, integer,
        number, boolean, date, timestamp): the column's contract type, or `string` when a value
        did not convert (the staging check quarantines those rows)
    data: the rows, one Arrow column per entry of `columns`, of the Arrow type ARROW_TYPES[type]
    notes: what the loader did that a reader should know (text fallback, absent columns)
    """

    name: str
    columns: list[tuple[str, str]]
    data: pa.Table
    notes: list[str]


#: The signature of a backend: write_raw_tables(tables, schema, database) replaces each table in
#: `schema` (created if absent; in `database` when given, for warehouses with catalogs) with
#: exactly `columns` typed and `data` rows. Connection settings come from the same environment
#: variables as the profile's target (NRR_PG_* for postgres).
RawTableWriter = Callable[[list[RawTable], str, str | None], None]


class RawLoadError(SystemExit):
    """The raw folder does not meet the contract: every problem, one per line."""


def read_raw_tables(raw_path: str | Path, project_dir: str | Path = PROJECT_DIR) -> list[RawTable]:
    """Every table of the raw contract, read from `raw_path` and typed (see the module doc)."""
    raw_path = Path(raw_path)
    if not raw_path.is_dir():
        raise RawLoadError(f"raw path {raw_path} is not a folder")
    contracts = load_raw_contract(project_dir)
    files = {p.name: p for p in raw_path.iterdir() if p.is_file()}
    problems: list[str] = []
    tables: list[RawTable] = []
    for contract in contracts:
        path = files.get(f"{contract.name}.parquet") or files.get(f"{contract.name}.csv")
        if path is None:
            if contract.required:
                problems.append(
                    f"raw table '{contract.name}' is required: neither {contract.name}.parquet "
                    f"nor {contract.name}.csv is in {raw_path}"
                )
            tables.append(_empty_table(contract))
            continue
        table = _read_table(contract, path, problems)
        if table is not None:
            tables.append(table)
    problems += _foreign_currency_problems(contracts, tables)
    if problems:
        raise RawLoadError(
            f"{raw_path} does not meet the raw contract (models/staging/raw/_raw__sources.yml):\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    return tables


def _empty_table(contract: TableContract) -> RawTable:
    columns = [(c.name, c.type) for c in contract.columns]
    schema = pa.schema([(name, ARROW_TYPES[kind]) for name, kind in columns])
    return RawTable(contract.name, columns, schema.empty_table(), ["no file: created empty"])


def _read_table(contract: TableContract, path: Path, problems: list[str]) -> RawTable | None:
    if path.suffix == ".parquet":
        source = pq.read_table(path)
    else:
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
        # every column as text, as DuckDB's CSV view reads it (all_varchar)
        source = pa_csv.read_csv(
            path,
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
            ),
        )
    present = {name.strip().lower(): name for name in source.column_names}
    missing = [c.name for c in contract.columns if c.required and c.name not in present]
    if missing:
        problems.append(
            f"raw table '{contract.name}' ({path}) is missing required column"
            f"{'s' if len(missing) > 1 else ''} '{', '.join(missing)}'. Columns found: "
            f"{', '.join(source.column_names) or 'none'}"
        )
        return None
    columns: list[tuple[str, str]] = []
    arrays: list[pa.Array] = []
    notes: list[str] = []
    for column in contract.columns:
        if column.name not in present:
            value = column.default if column.has_default else None
            arrow_type = ARROW_TYPES[column.type]
            scalar = pa.scalar(value, type=arrow_type) if value is not None else None
            array = pa.nulls(source.num_rows, arrow_type) if scalar is None else pa.array(
                [value] * source.num_rows, type=arrow_type
            )
            notes.append(
                f"{column.name} absent: "
                + (f"default {value!r}" if column.has_default else "null (nullable)")
            )
            columns.append((column.name, column.type))
            arrays.append(array)
            continue
        values = source.column(present[column.name]).combine_chunks()
        typed = _typed(values, column.type)
        if typed is None:
            notes.append(
                f"{column.name}: a value does not convert to {column.type}; loaded as text, "
                "the staging check quarantines the rows that do not cast"
            )
            columns.append((column.name, "string"))
            arrays.append(_as_text(values, trim=False))
        else:
            columns.append((column.name, column.type))
            arrays.append(typed)
    data = pa.Table.from_arrays(arrays, names=[name for name, _ in columns])
    return RawTable(contract.name, columns, data, notes)


def _as_text(values: pa.Array, trim: bool) -> pa.Array:
    if pa.types.is_timestamp(values.type) and values.type.tz is not None:
        values = values.cast(pa.timestamp(values.type.unit))
    text = values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
    if pa.types.is_large_string(text.type):
        text = text.cast(pa.string())
    if trim:
        text = pc.utf8_trim_whitespace(text)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    return text


def _typed(values: pa.Array, kind: str) -> pa.Array | None:
    """`values` as the Arrow type of contract type `kind`, or None when a value does not
    convert. Text is trimmed and empty text is null first (the contract check's reading)."""
    target = ARROW_TYPES[kind]
    if kind == "string":
        return _as_text(values, trim=False)
    if values.type == target:
        return values
    if pa.types.is_timestamp(values.type) and kind == "timestamp":
        if values.type.tz is not None:
            values = pc.cast(values, pa.timestamp(values.type.unit, tz="UTC"))
            values = values.cast(pa.timestamp(values.type.unit))
        return values.cast(target)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        try:
            return pc.cast(values, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            values = _as_text(values, trim=False)
    text = _as_text(values, trim=True)
    if kind == "boolean":
        lowered = pc.utf8_lower(text)
        known = pc.is_in(lowered, pa.array(["true", "false", "t", "f", "1", "0"]))
        if not pc.all(pc.or_kleene(known, pc.is_null(lowered))).as_py():
            return None
        truthy = pc.is_in(lowered, pa.array(["true", "t", "1"]))
        return pc.if_else(pc.is_null(lowered), pa.scalar(None, pa.bool_()), truthy)
    try:
        return pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if kind == "timestamp":
        try:
            zoned = pc.cast(text, pa.timestamp("us", tz="UTC"))
            return zoned.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    return None


def _foreign_currency_problems(contracts: list[TableContract], tables: list[RawTable]) -> list:
    by_name = {t.name: t for t in tables}
    fx = by_name.get("fx_rates")
    if fx is not None and fx.data.num_rows > 0:
        return []
    problems = []
    for contract in contracts:
        table = by_name.get(contract.name)
        if not contract.fx_currency or table is None or table.data.num_rows == 0:
            continue
        currencies = _as_text(table.data.column(contract.fx_currency).combine_chunks(), True)
        foreign = sorted(
            {c for c in currencies.to_pylist() if c is not None and c != BASE_CURRENCY}
        )
        if foreign:
            problems.append(
                f"raw table '{contract.name}' has rows not in {BASE_CURRENCY} "
                f"({', '.join(foreign)}) and there is no fx_rates file"
            )
    return problems


def writer_for(target: str) -> RawTableWriter:
    if target not in TARGETS:
        raise ValueError(f"target {target!r} is not one of {', '.join(TARGETS)}")
    module = importlib.import_module(f"nrr_engine.warehouses.{target}")
    return module.write_raw_tables


def load_raw(
    target: str,
    raw_path: str | Path,
    schema: str = "raw",
    database: str | None = None,
    project_dir: str | Path = PROJECT_DIR,
) -> list[RawTable]:
    """Read `raw_path` and write every raw table into `schema` of the target's warehouse."""
    tables = read_raw_tables(raw_path, project_dir)
    writer_for(target)(tables, schema, database)
    return tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="nrr-load-raw",
        description="Create the raw schema tables of a warehouse from a raw folder "
        "(parquet or csv per table), typed as the raw contract says.",
    )
    parser.add_argument("--target", required=True, choices=TARGETS)
    parser.add_argument("--raw-path", required=True, help="folder of <table>.parquet or .csv")
    parser.add_argument("--schema", default="raw", help="schema to create (var raw_schema)")
    parser.add_argument(
        "--database", default=None, help="database or catalog (var raw_database); default: none"
    )
    args = parser.parse_args(argv)
    tables = load_raw(args.target, args.raw_path, args.schema, args.database)
    for table in tables:
        line = f"{args.schema}.{table.name}: {table.data.num_rows} rows"
        if table.notes:
            line += " (" + "; ".join(table.notes) + ")"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
