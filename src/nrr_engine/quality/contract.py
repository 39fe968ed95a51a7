"""The raw data contract, read from the dbt source YAML (the single place it is written).

``models/staging/raw/_raw__sources.yml`` declares, per column, ``config.meta.contract`` (type,
nullable, default, values, min, max, exclusive_min) and, per table, ``config.meta`` (required,
required_when, primary_key, references_accounts, date_order, fx_currency). The staging models
generate their casts and checks from it; the raw checks and the template raw folder
(``nrr_engine.raw_template``) are generated from the same declarations, so they cannot drift
apart.

What may be absent (docs/definitions.md#required-and-optional-input): a table that is not
``required`` may have no file (it is then empty); fx_rates (``required_when: foreign_currency``)
must have one when a row of a table with ``fx_currency`` is not in USD. A column that is
``nullable`` or has a ``default`` may be absent from its file (it is then null, or the default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

CONTRACT_FILE = Path("models") / "staging" / "raw" / "_raw__sources.yml"
RAW_SOURCE_NAME = "raw"
TYPES = ("string", "integer", "number", "boolean", "date", "timestamp")
#: The currency every amount is reported in: no rate needed (fx_rates ``required_when``).
BASE_CURRENCY = "USD"
REQUIRED_WHEN = ("foreign_currency",)


@dataclass(frozen=True)
class ColumnContract:
    name: str
    type: str = "string"
    nullable: bool = False
    values: tuple | None = None
    min: float | None = None
    max: float | None = None
    exclusive_min: float | None = None
    #: value of the column when it is absent from the file; only meaningful if ``has_default``
    default: str | int | float | bool | None = None
    has_default: bool = False

    @property
    def required(self) -> bool:
        """Whether the column must be in the file: neither nullable nor defaulted."""
        return not self.nullable and not self.has_default


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
    #: the table must have a file (``required: true``)
    required: bool = False
    #: the table must have a file under this condition (``foreign_currency``), else may be absent
    required_when: str | None = None
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns that must be in the table's file when the file is there."""
        return tuple(c.name for c in self.columns if c.required)

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
    has_default = "default" in contract
    default = contract.get("default")
    if has_default and (default is None or (values and default not in values)):
        raise ValueError(
            f"raw.{table}.{node['name']}: default {default!r} must be a value"
            + (f" among {list(values)}" if values else "")
        )
    return ColumnContract(
        name=str(node["name"]).lower(),
        type=data_type,
        nullable=bool(contract.get("nullable", False)),
        values=tuple(values) if values else None,
        min=contract.get("min"),
        max=contract.get("max"),
        exclusive_min=contract.get("exclusive_min"),
        default=default,
        has_default=has_default,
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
        required=bool(meta.get("required", False)),
        required_when=meta.get("required_when"),
    )
    if table.required_when is not None and table.required_when not in REQUIRED_WHEN:
        raise ValueError(
            f"raw.{table.name}: required_when {table.required_when!r} is not one of "
            f"{list(REQUIRED_WHEN)}"
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
