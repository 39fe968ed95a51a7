"""Deterministic writers: Parquet (zstd, no varying metadata) and CSV (ISO text)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .util import SECONDS_PER_DAY

PARQUET_OPTIONS = dict(compression="zstd", compression_level=3, write_statistics=True)


def ts_array(sec: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Whole seconds since epoch -> timestamp[us, UTC] (null where ``null``)."""
    us = np.asarray(sec, dtype=np.int64) * 1_000_000
    return pa.array(us, type=pa.timestamp("us", tz="UTC"), mask=null)


def date_array(day: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(day, dtype=np.int32), type=pa.date32(), mask=null)


def take_str(values: list[str], idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Strings looked up by code (vectorised); codes < 0 or ``null`` give nulls."""
    idx = np.asarray(idx, dtype=np.int64)
    mask = idx < 0 if null is None else (null | (idx < 0))
    arr = pa.array(values, type=pa.string()).take(pa.array(np.where(mask, 0, idx)))
    if mask.any():
        arr = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), arr)
    return arr


def id_array(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    s = pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0"
    )
    return pc.binary_join_element_wise(prefix, s, "")


def account_order(csec: np.ndarray) -> np.ndarray:
    """Account indices in creation order (ties by index): the order of the account ids."""
    return np.lexsort((np.arange(len(csec)), csec))


def account_ids(csec: np.ndarray) -> pa.Array:
    """The account id (A000001, ...) of each account index: ids follow creation order."""
    rank = np.empty(len(csec), np.int64)
    rank[account_order(csec)] = np.arange(len(csec))
    return id_array("A", rank + 1, 6)


def to_csv_table(table: pa.Table) -> pa.Table:
    """Timestamps as YYYY-MM-DDTHH:MM:SSZ text; dates stay ISO dates; nulls become ''."""
    cols = []
    for field, col in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            col = pc.strftime(
                pc.cast(col, pa.timestamp("s", tz="UTC")), format="%Y-%m-%dT%H:%M:%SZ"
            )
        cols.append(col)
    names = table.schema.names
    return pa.table(cols, names=names)


class TableWriter:
    """Writes one table, possibly in several batches (usage events)."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: str) -> None:
        self.fmt = fmt
        self.schema = schema
        self.rows = 0
        if fmt == "parquet":
            self._w = pq.ParquetWriter(str(path), schema, **PARQUET_OPTIONS)
        else:
            csv_schema = to_csv_table(schema.empty_table()).schema
            self._w = pacsv.CSVWriter(str(path), csv_schema)

    def write(self, table: pa.Table) -> None:
        table = table.cast(self.schema) if table.schema != self.schema else table
        self.rows += table.num_rows
        if self.fmt == "parquet":
            self._w.write_table(table, row_group_size=1 << 20)
        else:
            self._w.write_table(to_csv_table(table))

    def close(self) -> None:
        self._w.close()


def write_table(table: pa.Table, path: Path, fmt: str) -> int:
    w = TableWriter(path, table.schema, fmt)
    w.write(table)
    w.close()
    return table.num_rows


def days_to_sec(day: np.ndarray) -> np.ndarray:
    return np.asarray(day, dtype=np.int64) * SECONDS_PER_DAY
