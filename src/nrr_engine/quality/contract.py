"""The raw data contract, read from the dbt source YAML (the single place it is written).

``models/staging/raw/_raw__sources.yml`` declares, per column, ``config.meta.contract`` (type,
nullable, values, min, max, exclusive_min) and, per table, ``config.meta`` (primary_key,
references_accounts, date_order, fx_currency). The staging models generate their casts and
checks from it; the raw suites here are generated from the same declarations, so the two cannot
drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

CONTRACT_FILE = Path("models") / "staging" / "raw" / "_raw__sources.yml"
RAW_SOURCE_NAME = "raw"
TYPES = ("string", "integer", "number", "boolean", "date", "timestamp")


@dataclass(frozen=True)
class ColumnContract:
    name: str
    type: str = "string"
    nullable: bool = False
    values: tuple | None = None
    min: float | None = None
    max: float | None = None
    exclusive_min: float | None = None


@dataclass(frozen=True)
class DateOrder:
    earlier: str
    later: str
    strict: bool


@dataclass(frozen=True)
class TableContract:
    name: str
    columns: tuple[ColumnContract, ...]
    primary_key: tuple[str, ...] = ()
    references_accounts: str | None = None
    date_order: tuple[DateOrder, ...] = ()
    fx_currency: str | None = None
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> ColumnContract:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"raw table {self.name!r} has no contract column {name!r}")


def _meta(node: dict) -> dict:
    """`config.meta` (dbt >= 1.10), falling back to a top-level `meta`."""
    config = node.get("config") or {}
    return config.get("meta") or node.get("meta") or {}


def _column(node: dict, table: str) -> ColumnContract:
    contract = _meta(node).get("contract") or {}
    data_type = contract.get("type", "string")
    if data_type not in TYPES:
        raise ValueError(f"raw.{table}.{node['name']}: unknown contract type {data_type!r}")
    values = contract.get("values")
    return ColumnContract(
        name=str(node["name"]).lower(),
        type=data_type,
        nullable=bool(contract.get("nullable", False)),
        values=tuple(values) if values else None,
        min=contract.get("min"),
        max=contract.get("max"),
        exclusive_min=contract.get("exclusive_min"),
    )


def _table(node: dict) -> TableContract:
    meta = _meta(node)
    columns = tuple(_column(column, node["name"]) for column in node.get("columns") or [])
    key = meta.get("primary_key") or []
    orders = tuple(
        DateOrder(earlier=earlier, later=later, strict=strictness == "strict")
        for earlier, later, strictness in meta.get("date_order") or []
    )
    table = TableContract(
        name=node["name"],
        columns=columns,
        primary_key=tuple(key),
        references_accounts=meta.get("references_accounts"),
        date_order=orders,
        fx_currency=meta.get("fx_currency"),
    )
    named = [*table.primary_key, *(o.earlier for o in orders), *(o.later for o in orders)]
    named += [c for c in (table.references_accounts, table.fx_currency) if c]
    unknown = sorted(set(named) - set(table.column_names))
    if unknown:
        raise ValueError(f"raw.{table.name}: table meta names unknown columns {unknown}")
    return table


def load_raw_contract(project_dir: Path | str) -> list[TableContract]:
    """Every table of the `raw` source, in the order of the YAML."""
    path = Path(project_dir) / CONTRACT_FILE
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for source in document.get("sources") or []:
        if source.get("name") == RAW_SOURCE_NAME:
            return [_table(table) for table in source.get("tables") or []]
    raise ValueError(f"{path}: no source named {RAW_SOURCE_NAME!r}")
