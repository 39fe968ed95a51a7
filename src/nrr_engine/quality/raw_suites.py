"""Raw-input suites, generated from the raw data contract and run on the raw folder before dbt.

For each table of the contract this reads ``<raw_path>/<table>.parquet`` (or ``.csv``, read as
text, as the dbt project reads it) with DuckDB, casts each column the way staging does
(``try_cast`` to the contract type) and derives a few helper columns, then lists the checks:

- every required contract column is present (``required_column``; a nullable or defaulted
  column may be absent); matching is case-insensitive and extra columns are ignored, as in
  ``macros/raw/register_raw_files.sql``;
- ``not_null`` unless the column is nullable; ``castable`` to the contract type;
  ``accepted_values``; ``range`` (min, max, exclusive_min);
- ``unique_key`` on the primary key: no two different rows share a key (exact duplicates are
  collapsed by staging, as the contract says, so they are not a conflict);
- ``references_accounts``: the account exists in ``accounts``; ``fx_rate_exists``: the currency
  is USD or has a rate; ``date_order``: the later date is after the earlier one;
- ``volume``: the row count is within a factor of the last published run's count.

Row-level rules (every rule but ``required_column`` and ``volume``) are what staging quarantines:
like ``dbt build``, a table whose distinct broken rows stay within its rejected-share limit (the
var ``max_rejected_share_by_table.<table>``, else ``max_rejected_share``) passes with a note;
above it, the table fails with rule ``rejected_share``, naming its share, the limit and its most
frequent broken rules, followed by the broken rules themselves.

A required table whose file is missing fails with rule ``file_present`` (a table the contract
does not require is then empty and has no suite; without fx_rates every currency but USD fails
``fx_rate_exists``); an unreadable file fails with rule ``readable``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from .contract import ColumnContract, TableContract
from .validation import Check, Failure, Suite

SQL_TYPES = {
    "integer": "bigint",
    "number": "decimal(28, 6)",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}
CONFLICT_COLUMN = "__conflicting_key"
# Below this many rows in the last published run a table is too small for a volume check.
VOLUME_MIN_ROWS = 10
# Rules whose rows staging rejects into audit_rejected_rows (the others fail a table outright).
ROW_RULES = frozenset(
    {
        "not_null",
        "castable",
        "accepted_values",
        "range",
        "unique_key",
        "references_accounts",
        "date_order",
        "fx_rate_exists",
    }
)
TOP_REASONS = 3
DEFAULT_MAX_REJECTED_SHARE = 0.01


@dataclass(frozen=True)
class RejectedShareLimits:
    """The dbt vars `max_rejected_share` and `max_rejected_share_by_table`, as dbt reads them."""

    default: float = DEFAULT_MAX_REJECTED_SHARE
    by_table: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_vars(cls, dbt_vars: dict) -> RejectedShareLimits:
        default = dbt_vars.get("max_rejected_share")
        by_table = dbt_vars.get("max_rejected_share_by_table") or {}
        return cls(
            DEFAULT_MAX_REJECTED_SHARE if default is None else float(default),
            {str(t): float(v) for t, v in by_table.items() if v is not None},
        )

    def for_table(self, table: str) -> tuple[float, str]:
        """The table's limit and where it comes from, worded as dbt's test words it."""
        if table in self.by_table:
            return self.by_table[table], f"var max_rejected_share_by_table.{table}"
        return self.default, "var max_rejected_share"


@dataclass
class RawTable:
    """One raw table as read for validation."""

    contract: TableContract
    path: Path | None = None
    frame: pd.DataFrame | None = None
    missing_columns: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def row_count(self) -> int | None:
        return None if self.frame is None else len(self.frame)

    def has(self, *columns: str) -> bool:
        return self.frame is not None and all(c not in self.missing_columns for c in columns)


@dataclass
class RawValidation:
    failures: list[Failure]
    row_counts: dict[str, int]
    tables: dict[str, RawTable]
    notes: list[str]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def text_column(column: ColumnContract) -> str:
    """The frame column holding the trimmed raw text of a contract column."""
    return column.name if column.type == "string" else f"{column.name}__text"


def find_raw_file(raw_path: Path, table: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        candidate = raw_path / f"{table}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def read_raw_table(con: duckdb.DuckDBPyConnection, raw_path: Path, contract: TableContract):
    """Read one raw table: typed contract columns, their raw text, and uncastable values."""
    table = RawTable(contract=contract, path=find_raw_file(raw_path, contract.name))
    if table.path is None:
        return table
    if table.path.suffix == ".parquet":
        reader = f"read_parquet({_literal(str(table.path))})"
    else:
        reader = f"read_csv({_literal(str(table.path))}, header = true, all_varchar = true)"
    try:
        described = con.execute(f"describe select * from {reader}").fetchall()
        present = {str(row[0]).lower().strip(): str(row[0]) for row in described}
        selected = []
        for column in contract.columns:
            if column.name not in present:
                table.missing_columns.append(column.name)
                continue
            source = _ident(present[column.name])
            as_text = f"nullif(trim(cast({source} as varchar)), '')"
            if column.type == "string":
                selected.append(f"{as_text} as {_ident(column.name)}")
                continue
            typed = f"try_cast({source} as {SQL_TYPES[column.type]})"
            shown = f"cast({typed} as double)" if column.type == "number" else typed
            selected += [
                f"{shown} as {_ident(column.name)}",
                f"{as_text} as {_ident(text_column(column))}",
                f"case when {typed} is null then {as_text} end"
                f" as {_ident(column.name + '__uncastable')}",
            ]
        sql = f"select {', '.join(selected) or '1 as no_contract_column'} from {reader}"
        table.frame = con.execute(sql).df()
    except duckdb.Error as error:
        table.error = str(error).splitlines()[0]
        table.frame = None
    return table


def volume_bounds(previous: int, factor: float, min_rows: int = VOLUME_MIN_ROWS):
    """Row counts allowed after `previous`: within `factor` either way; small tables grow freely.

    A table shrinks too much below previous / factor and jumps too much above previous * factor.
    Below `min_rows` previous rows the lower bound is 0 and the upper bound at least `min_rows`.
    """
    lower = math.ceil(previous / factor - 1e-9) if previous >= min_rows else 0
    upper = max(math.floor(previous * factor + 1e-9), min_rows)
    return lower, upper


def volume_check(table: str, previous: int | None, factor: float) -> Check | None:
    if previous is None:
        return None
    lower, upper = volume_bounds(int(previous), factor)
    return Check(
        "ExpectTableRowCountToBeBetween",
        {"min_value": lower, "max_value": upper},
        table,
        None,
        "volume",
        f"row count must be within a factor {factor:g} of the last published run's "
        f"{previous} rows (between {lower} and {upper})",
    )


def _key_strings(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    joined = frame[columns[0]].astype("string")
    for name in columns[1:]:
        joined = joined + "|" + frame[name].astype("string")
    return joined


def _add_conflicting_keys(table: RawTable) -> None:
    """Helper column: the key of rows that share it with a different row, else null."""
    contract, frame = table.contract, table.frame
    key_text = [text_column(contract.column(k)) for k in contract.primary_key]
    all_text = [text_column(c) for c in contract.columns if c.name not in table.missing_columns]
    distinct = frame[all_text].drop_duplicates()
    distinct = distinct[distinct[key_text].notna().all(axis=1)]
    shared = distinct[distinct.duplicated(subset=key_text, keep=False)]
    keys = _key_strings(frame, key_text)
    conflicting = set(_key_strings(shared, key_text).dropna()) if len(shared) else set()
    frame[CONFLICT_COLUMN] = keys.where(keys.isin(conflicting))


def table_suite(
    table: RawTable,
    accounts: set[str] | None,
    currencies: set[str] | None,
    previous_count: int | None,
    factor: float,
) -> Suite:
    """The suite of one raw table, generated from its contract."""
    contract, frame = table.contract, table.frame
    name = f"raw.{contract.name}"
    checks: list[Check] = [
        Check(
            "ExpectTableColumnsToMatchSet",
            {"column_set": list(contract.required_columns), "exact_match": False},
            name,
            None,
            "required_column",
            "the required contract column must be in the file",
        )
    ]
    for column in contract.columns:
        if not table.has(column.name):
            continue
        if not column.nullable:
            checks.append(
                Check(
                    "ExpectColumnValuesToNotBeNull",
                    {"column": text_column(column)},
                    name,
                    column.name,
                    "not_null",
                    "values must not be empty",
                )
            )
        if column.type != "string":
            checks.append(
                Check(
                    "ExpectColumnValuesToBeNull",
                    {"column": f"{column.name}__uncastable"},
                    name,
                    column.name,
                    "castable",
                    f"values must cast to {column.type}",
                )
            )
        if column.values:
            checks.append(
                Check(
                    "ExpectColumnValuesToBeInSet",
                    {"column": column.name, "value_set": list(column.values)},
                    name,
                    column.name,
                    "accepted_values",
                    f"values must be one of {', '.join(str(v) for v in column.values)}",
                )
            )
        if column.min is not None or column.max is not None:
            bounds = [f">= {column.min}" if column.min is not None else ""]
            bounds.append(f"<= {column.max}" if column.max is not None else "")
            checks.append(
                Check(
                    "ExpectColumnValuesToBeBetween",
                    {"column": column.name, "min_value": column.min, "max_value": column.max},
                    name,
                    column.name,
                    "range",
                    f"values must be {' and '.join(b for b in bounds if b)}",
                )
            )
        if column.exclusive_min is not None:
            checks.append(
                Check(
                    "ExpectColumnValuesToBeBetween",
                    {"column": column.name, "min_value": column.exclusive_min, "strict_min": True},
                    name,
                    column.name,
                    "range",
                    f"values must be > {column.exclusive_min}",
                )
            )
    if contract.primary_key and table.has(*contract.primary_key):
        _add_conflicting_keys(table)
        checks.append(
            Check(
                "ExpectColumnValuesToBeNull",
                {"column": CONFLICT_COLUMN},
                name,
                ", ".join(contract.primary_key),
                "unique_key",
                "no two different rows may share the primary key "
                f"({', '.join(contract.primary_key)})",
            )
        )
    account_column = contract.references_accounts
    if account_column and accounts is not None and table.has(account_column):
        helper = f"{account_column}__unknown_account"
        values = frame[account_column]
        frame[helper] = values.where(values.notna() & ~values.isin(accounts))
        checks.append(
            Check(
                "ExpectColumnValuesToBeNull",
                {"column": helper},
                name,
                account_column,
                "references_accounts",
                "every account must exist in raw.accounts",
            )
        )
    for order in contract.date_order:
        if not table.has(order.earlier, order.later):
            continue
        checks.append(
            Check(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": order.later,
                    "column_B": order.earlier,
                    "or_equal": not order.strict,
                    "ignore_row_if": "either_value_is_missing",
                },
                name,
                order.later,
                "date_order",
                f"{order.later} must be {'after' if order.strict else 'on or after'} "
                f"{order.earlier}",
            )
        )
    currency_column = contract.fx_currency
    if currency_column and currencies is not None and table.has(currency_column):
        allowed = sorted({"USD", *currencies})
        checks.append(
            Check(
                "ExpectColumnValuesToBeInSet",
                {"column": currency_column, "value_set": allowed},
                name,
                currency_column,
                "fx_rate_exists",
                f"the currency must be USD or have a rate in raw.fx_rates ({', '.join(allowed)})",
            )
        )
    volume = volume_check(name, previous_count, factor)
    if volume is not None:
        checks.append(volume)
    return Suite(name=name, frame=frame, checks=checks)


def read_raw_folder(raw_path: Path, contracts: list[TableContract]) -> dict[str, RawTable]:
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        return {c.name: read_raw_table(con, Path(raw_path), c) for c in contracts}


def _id_set(table: RawTable | None, column: str) -> set[str] | None:
    if table is None or not table.has(column):
        return None
    return set(table.frame[column].dropna())


def build_raw_suites(
    tables: dict[str, RawTable],
    previous_counts: dict[str, int] | None,
    factor: float,
) -> tuple[list[Suite], list[Failure]]:
    """Suites for the readable tables; failures for tables that could not be read."""
    accounts = _id_set(tables.get("accounts"), "account_id")
    currencies = _id_set(tables.get("fx_rates"), "currency")
    if "fx_rates" in tables and tables["fx_rates"].path is None:
        currencies = set()  # no fx_rates file: only USD has a rate
    suites, failures = [], []
    for table in tables.values():
        name = f"raw.{table.contract.name}"
        if table.path is None and not table.contract.required:
            continue  # an absent optional table is empty (definitions#required-and-optional-input)
        if table.path is None:
            failures.append(
                Failure(
                    "raw",
                    name,
                    None,
                    "file_present",
                    f"neither {table.contract.name}.parquet nor {table.contract.name}.csv "
                    "is in the raw folder",
                )
            )
            continue
        if table.frame is None:
            failures.append(
                Failure("raw", name, None, "readable", f"{table.path} is unreadable: {table.error}")
            )
            continue
        previous = (previous_counts or {}).get(table.contract.name)
        suites.append(table_suite(table, accounts, currencies, previous, factor))
    return suites, failures


def exact_duplicate_notes(tables: dict[str, RawTable]) -> list[str]:
    notes = []
    for table in tables.values():
        if table.frame is None or table.missing_columns:
            continue
        columns = [text_column(c) for c in table.contract.columns]
        duplicates = int(table.frame[columns].duplicated().sum())
        if duplicates:
            notes.append(
                f"raw.{table.contract.name}: {duplicates} exact duplicate row(s); staging "
                "collapses them (not a failure)"
            )
    return notes


def latest_activity_date(tables: dict[str, RawTable], today: date) -> date:
    """The default as_of_date, as int_as_of_date_resolved computes it from the raw data.

    The latest line-item start, invoice issue or usage-event date and, in a finished book (every
    recurring line has an end date, the latest on or before `today`), the last line-item end;
    never after `today`.
    """
    latest = []
    lines = tables.get("subscription_line_items")
    if lines is not None and lines.has("end_date") and len(lines.frame):
        recurring = lines.frame  # an absent line_type is its default, recurring
        if lines.has("line_type"):
            recurring = recurring[recurring["line_type"] == "recurring"]
        ends = pd.to_datetime(recurring["end_date"], errors="coerce")
        if len(recurring) and ends.notna().all() and ends.max().date() <= today:
            latest.append(ends.max().date())
    for table, column in (
        ("subscription_line_items", "start_date"),
        ("invoices", "issued_at"),
        ("usage_events", "occurred_at"),
    ):
        raw = tables.get(table)
        if raw is not None and raw.has(column):
            value = pd.to_datetime(raw.frame[column], errors="coerce").max()
            if pd.notna(value):
                latest.append(value.date())
    return min(max(latest), today) if latest else today


def _percent(share: float) -> str:
    return f"{100 * share:.2f}%"


def _rows(count: int | None) -> str:
    return f"{count} row" + ("" if count == 1 else "s")


def _distinct_rows(table: RawTable, indices: set[int]) -> int:
    """Distinct raw rows among `indices`, as staging counts them (duplicates collapsed)."""
    columns = [
        text_column(c) for c in table.contract.columns if c.name not in table.missing_columns
    ]
    rows = table.frame.loc[sorted(indices), columns]
    return len(rows.drop_duplicates()) if columns else len(rows)


def apply_rejected_share(
    failures: list[Failure], tables: dict[str, RawTable], limits: RejectedShareLimits
) -> tuple[list[Failure], list[str]]:
    """Tolerate what `dbt build` tolerates: row-level failures of a table within its limit.

    The rejected share of a table is its distinct rows that break any row-level rule over its raw
    rows. Within the limit its row failures become one note; above it the table fails with rule
    `rejected_share` (share, limit, top reasons) ahead of its row failures. Table-level failures
    (a missing column, a volume jump, an unreadable file) always fail.
    """
    by_table: dict[str, list[Failure]] = {}
    for failure in failures:
        if failure.rule in ROW_RULES and failure.row_indices is not None:
            by_table.setdefault(failure.table, []).append(failure)
    kept, notes = [], []
    failing: dict[str, Failure] = {}
    for name, row_failures in by_table.items():
        table = tables[name.removeprefix("raw.")]
        raw_rows = len(table.frame)
        indices = {index for f in row_failures for index in f.row_indices}
        rejected = _distinct_rows(table, indices)
        share = rejected / raw_rows if raw_rows else 0.0
        limit, limit_name = limits.for_table(table.contract.name)
        ranked = sorted(row_failures, key=lambda f: (-(f.unexpected_count or 0), f.message()))
        reasons = ", ".join(
            f'"{f.column}: {f.detail}" ({_rows(f.unexpected_count)})' for f in ranked[:TOP_REASONS]
        )
        if share > limit:
            detail = (
                f"Rejected share of {name} is {_percent(share)} ({rejected} of {raw_rows} raw "
                f"rows), above its limit of {_percent(limit)} ({limit_name}). Top reasons: "
                f"{reasons}."
            )
            failing[name] = Failure("raw", name, None, "rejected_share", detail)
        else:
            notes.append(
                f"{name}: {rejected} of {raw_rows} raw rows ({_percent(share)}) break the "
                f"contract, within its limit of {_percent(limit)} ({limit_name}); staging "
                f"quarantines them into audit.audit_rejected_rows. Reasons: {reasons}."
            )
    row_level = {id(f) for row_failures in by_table.values() for f in row_failures}
    announced = set()
    for failure in failures:
        if id(failure) not in row_level:
            kept.append(failure)
        elif failure.table in failing:  # above the limit: the share first, then its rules
            if failure.table not in announced:
                announced.add(failure.table)
                kept.append(failing[failure.table])
            kept.append(failure)
    return kept, notes


def validate_raw(
    raw_path: Path,
    contracts: list[TableContract],
    previous_counts: dict[str, int] | None,
    factor: float,
    session,
    limits: RejectedShareLimits | None = None,
) -> RawValidation:
    """Read and validate the raw folder; `session` is a `validation.GxSession`.

    Row-level failures within a table's rejected-share limit are notes, not failures
    (`apply_rejected_share`).
    """
    tables = read_raw_folder(Path(raw_path), contracts)
    suites, failures = build_raw_suites(tables, previous_counts, factor)
    failures += session.run(suites, stage="raw")
    failures, share_notes = apply_rejected_share(failures, tables, limits or RejectedShareLimits())
    counts = {name: t.row_count for name, t in tables.items() if t.row_count is not None}
    return RawValidation(failures, counts, tables, share_notes + exact_duplicate_notes(tables))
