"""Raw-input validation, generated from the raw data contract and run on the raw folder before dbt.

Every rule is SQL evaluated by DuckDB over the raw files: no table is read into Python, so a book
of tens of millions of usage events validates in bounded memory. For each table of the contract
a temporary view over ``<raw_path>/<table>.parquet`` (or ``.csv``, read as text, as the dbt
project reads it) selects the contract columns, each cast the way staging casts it (``try_cast``
to the contract type), with its trimmed raw text and, where it does not cast, that text. The
checks of a table are:

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

A table costs one grouping of its rows by primary key (the keys that more than one row shares,
then the distinct rows behind those keys only) and one aggregate scan of its checked view (the
view with the account and key lookups joined on) that counts the rows breaking each row rule. A
table with broken rules costs two scans more: one takes the first ``EXAMPLES_SHOWN`` broken
values of each, in file order (by row number), formatted as the earlier Great Expectations
validation of pandas frames showed them, so that the scheduled run's output and run log read
the same; the other counts the distinct broken rows. Python gets counts and those examples,
never rows. The connection has a memory limit (``NRR_DUCKDB_MEMORY_LIMIT``, default 4GB, as in
the dbt profile) and spills to ``NRR_DUCKDB_TEMP_DIR`` (else a temporary folder removed
afterwards).

Row-level rules (every rule but ``required_column`` and ``volume``) are what staging quarantines:
like ``dbt build``, a table whose distinct broken rows stay within its rejected-share limit (the
var ``max_rejected_share_by_table.<table>``, else ``max_rejected_share``) passes with a note;
above it, the table fails with rule ``rejected_share``, naming its share, the limit and its most
frequent broken rules, followed by the broken rules themselves.

A required table whose file is missing fails with rule ``file_present`` (a table the contract
does not require is then empty and has no checks; without fx_rates every currency but USD fails
``fx_rate_exists``); an unreadable file fails with rule ``readable``.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb

from .contract import BASE_CURRENCY, ColumnContract, TableContract
from .validation import EXAMPLES_SHOWN, Check, Failure, _show

SQL_TYPES = {
    "integer": "bigint",
    "number": "decimal(28, 6)",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}
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
DEFAULT_MEMORY_LIMIT = "4GB"  # the dbt profile's default (profiles/profiles.yml)
# The tables other tables' rules read: checked first, so that a rule reads them only when they
# are readable.
REFERENCED_TABLES = ("accounts", "fx_rates")
# The accepted account ids (a temporary table), and the lookups each table's checked view adds
# to its rows: the account is not among them; the key is shared by different rows.
KNOWN_ACCOUNTS = '"__known_accounts"'
UNKNOWN_ACCOUNT = '"__unknown_account"'
CONFLICTING_KEY = '"__conflicting_key"'
# The columns the default as_of_date reads the latest value of (`latest_activity_date`).
ACTIVITY_COLUMNS = (
    ("subscription_line_items", "start_date"),
    ("invoices", "issued_at"),
    ("usage_events", "occurred_at"),
)
# File column types whose text is never blank: such a value is empty exactly when it is null,
# which spares the scan casting every value to text (a parquet timestamp column, say).
NEVER_BLANK_TYPES = re.compile(
    r"BOOLEAN|U?(TINY|SMALL|BIG|HUGE)INT|U?INTEGER|FLOAT|DOUBLE|DECIMAL.*|DATE|TIME.*",
    re.IGNORECASE,
)


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


@dataclass(frozen=True)
class RawCheck:
    """One rule on one raw table.

    A row rule is SQL over the table's checked view (`_checked_view`): `broken` holds on the
    rows that break it and `shown` is the value (or the pair of values) an example shows; a rule
    without `shown` (`not_null`) is broken by empty values. `required_column` and `volume` are
    table rules, without SQL.
    """

    table: str
    column: str | None
    rule: str
    description: str
    broken: str | None = None
    shown: tuple[str, ...] | None = None
    #: the row counts a `volume` check allows
    bounds: tuple[int, int] | None = None


@dataclass
class RawTable:
    """One raw table as validated: a view over its file, and what was counted on it."""

    contract: TableContract
    path: Path | None = None
    #: the DuckDB view of its contract columns; None when the file is absent or unreadable
    view: str | None = None
    #: the view with the lookups of its rules, which the row rules read (`_checked_view`)
    checked_view: str | None = None
    missing_columns: list[str] = field(default_factory=list)
    error: str | None = None
    checks: list[RawCheck] = field(default_factory=list)
    row_count: int | None = None
    #: the latest value of its ACTIVITY_COLUMNS
    latest: dict[str, date] = field(default_factory=dict)
    #: distinct rows that break a row rule (exact duplicates collapsed), once one is broken
    rejected_rows: int | None = None
    #: rows beyond the first of each set of identical rows, when every contract column is there
    exact_duplicates: int | None = None

    def has(self, *columns: str) -> bool:
        return self.view is not None and all(c not in self.missing_columns for c in columns)


@dataclass(frozen=True)
class ActivityDates:
    """The dates the default as_of_date is computed from (`latest_activity_date`)."""

    #: the latest line-item start, invoice issue and usage-event date, of those there are
    latest: tuple[date, ...] = ()
    #: the last line-item end, when every recurring line has an end date
    last_recurring_end: date | None = None


@dataclass
class RawValidation:
    failures: list[Failure]
    row_counts: dict[str, int]
    tables: dict[str, RawTable]
    notes: list[str]
    activity: ActivityDates = field(default_factory=ActivityDates)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value_literal(value, column: ColumnContract) -> str:
    """A contract value as SQL: text for a string column, else a number or boolean."""
    if column.type == "string" or isinstance(value, str):
        return _literal(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def text_column(column: ColumnContract) -> str:
    """The view column holding the trimmed raw text of a contract column."""
    return column.name if column.type == "string" else f"{column.name}__text"


def find_raw_file(raw_path: Path, table: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        candidate = raw_path / f"{table}{suffix}"
        if candidate.is_file():
            return candidate
    return None


@contextmanager
def raw_connection(temp_directory: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection with a memory limit, spilling to `temp_directory`.

    `temp_directory` defaults to `NRR_DUCKDB_TEMP_DIR`, else a temporary folder removed
    afterwards; the limit is `NRR_DUCKDB_MEMORY_LIMIT` (default 4GB); threads are DuckDB's.
    """
    folder = temp_directory or os.environ.get("NRR_DUCKDB_TEMP_DIR")
    spill = nullcontext(folder) if folder else tempfile.TemporaryDirectory(prefix="nrr_raw_")
    with spill as spill_directory:
        config = {
            "memory_limit": os.environ.get("NRR_DUCKDB_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT,
            "temp_directory": str(spill_directory),
            # The CSV views number their rows as read (row_number() over ()): in file order only
            # while insertion order is preserved (the dbt profile turns it off).
            "preserve_insertion_order": True,
        }
        with duckdb.connect(config=config) as con:
            con.execute("set TimeZone = 'UTC'")
            con.execute("set enable_progress_bar = false")
            yield con


def register_raw_table(
    con: duckdb.DuckDBPyConnection, raw_path: Path, contract: TableContract
) -> RawTable:
    """A view of one raw table: typed contract columns, their raw text, uncastable values and
    whether each is empty (`<column>__empty`).

    Only the file's schema is read here; the rows are read by the checks, in DuckDB.
    """
    table = RawTable(contract=contract, path=find_raw_file(raw_path, contract.name))
    if table.path is None:
        return table
    # `__row` numbers the rows in file order, for the examples: DuckDB's order of rows out of
    # a parallel scan is the file's only as long as no join reorders them.
    if table.path.suffix == ".parquet":
        reader = f"read_parquet({_literal(str(table.path))})"
        row_number = "file_row_number"
    else:
        reader = f"read_csv({_literal(str(table.path))}, header = true, all_varchar = true)"
        row_number = "row_number() over ()"  # a streaming window: numbered as read
    try:
        described = con.execute(f"describe select * from {reader}").fetchall()
        present = {str(row[0]).lower().strip(): (str(row[0]), str(row[1])) for row in described}
        selected = []
        for column in contract.columns:
            if column.name not in present:
                table.missing_columns.append(column.name)
                continue
            source_name, source_type = present[column.name]
            source = _ident(source_name)
            as_text = f"nullif(trim(cast({source} as varchar)), '')"
            empty = f"{source} is null"
            if not NEVER_BLANK_TYPES.fullmatch(source_type):
                # A value that starts with a printable ASCII character other than the space is
                # not blank: only the others are trimmed to find out (trimming costs the most).
                empty = (
                    f"case when ascii(cast({source} as varchar)) between 33 and 126 then false "
                    f"else {as_text} is null end"
                )
            selected.append(f"{empty} as {_ident(column.name + '__empty')}")
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
        view = _ident(contract.name)
        columns = ", ".join([f"{row_number} as __row", *selected])
        con.execute(f"create temp view {view} as select {columns} from {reader}")
        table.view = view
    except duckdb.Error as error:
        table.error = str(error).splitlines()[0]
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
    """The volume expectation of a mart suite (and the wording of the raw volume check)."""
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


def _helper(table: RawTable, purpose: str) -> str:
    return _ident(f"__{table.contract.name}__{purpose}")


def table_checks(
    table: RawTable,
    accounts_known: bool,
    currencies: list[str] | None,
    previous_count: int | None,
    factor: float,
) -> list[RawCheck]:
    """The checks of one raw table, generated from its contract, in the order they report.

    `accounts_known`: the accepted accounts are in KNOWN_ACCOUNTS (else no reference check);
    `currencies` are those with a rate (None: no rate check).
    """
    contract = table.contract
    name = f"raw.{contract.name}"
    checks = [
        RawCheck(
            name, column, "required_column", "the required contract column must be in the file"
        )
        for column in contract.required_columns
    ]
    for column in contract.columns:
        if not table.has(column.name):
            continue
        value = _ident(column.name)
        if not column.nullable:
            checks.append(
                RawCheck(
                    name,
                    column.name,
                    "not_null",
                    "values must not be empty",
                    _ident(column.name + "__empty"),
                )
            )
        if column.type != "string":
            uncastable = _ident(column.name + "__uncastable")
            checks.append(
                RawCheck(
                    name,
                    column.name,
                    "castable",
                    f"values must cast to {column.type}",
                    f"{uncastable} is not null",
                    (uncastable,),
                )
            )
        if column.values:
            listed = ", ".join(_value_literal(v, column) for v in column.values)
            checks.append(
                RawCheck(
                    name,
                    column.name,
                    "accepted_values",
                    f"values must be one of {', '.join(str(v) for v in column.values)}",
                    f"{value} not in ({listed})",
                    (value,),
                )
            )
        if column.min is not None or column.max is not None:
            bounds = [f">= {column.min}" if column.min is not None else ""]
            bounds.append(f"<= {column.max}" if column.max is not None else "")
            outside = [f"{value} < {column.min!r}"] if column.min is not None else []
            outside += [f"{value} > {column.max!r}"] if column.max is not None else []
            checks.append(
                RawCheck(
                    name,
                    column.name,
                    "range",
                    f"values must be {' and '.join(b for b in bounds if b)}",
                    " or ".join(outside),
                    (value,),
                )
            )
        if column.exclusive_min is not None:
            checks.append(
                RawCheck(
                    name,
                    column.name,
                    "range",
                    f"values must be > {column.exclusive_min}",
                    f"{value} <= {column.exclusive_min!r}",
                    (value,),
                )
            )
    if contract.primary_key and table.has(*contract.primary_key):
        shown = " || '|' || ".join(
            _ident(text_column(contract.column(k))) for k in contract.primary_key
        )
        checks.append(
            RawCheck(
                name,
                ", ".join(contract.primary_key),
                "unique_key",
                "no two different rows may share the primary key "
                f"({', '.join(contract.primary_key)})",
                CONFLICTING_KEY,
                (shown,),
            )
        )
    account_column = contract.references_accounts
    if account_column and accounts_known and table.has(account_column):
        checks.append(
            RawCheck(
                name,
                account_column,
                "references_accounts",
                "every account must exist in raw.accounts",
                UNKNOWN_ACCOUNT,
                (_ident(account_column),),
            )
        )
    for order in contract.date_order:
        if not table.has(order.earlier, order.later):
            continue
        later, earlier = _ident(order.later), _ident(order.earlier)
        checks.append(
            RawCheck(
                name,
                order.later,
                "date_order",
                f"{order.later} must be {'after' if order.strict else 'on or after'} "
                f"{order.earlier}",
                f"{later} {'<=' if order.strict else '<'} {earlier}",
                (later, earlier),
            )
        )
    currency_column = contract.fx_currency
    if currency_column and currencies is not None and table.has(currency_column):
        allowed = sorted({BASE_CURRENCY, *currencies})
        checks.append(
            RawCheck(
                name,
                currency_column,
                "fx_rate_exists",
                f"the currency must be USD or have a rate in raw.fx_rates ({', '.join(allowed)})",
                f"{_ident(currency_column)} not in ({', '.join(_literal(c) for c in allowed)})",
                (_ident(currency_column),),
            )
        )
    volume = volume_check(name, previous_count, factor)
    if volume is not None:
        bounds = (volume.kwargs["min_value"], volume.kwargs["max_value"])
        checks.append(RawCheck(name, None, "volume", volume.description, bounds=bounds))
    return checks


def _example(value) -> str:
    """An example value as the pandas-based validation showed it (`validation._show`)."""
    if isinstance(value, tuple):
        return "(" + ", ".join(_example(v) for v in value) + ")"
    if isinstance(value, datetime):  # pandas showed a timestamp at midnight as its date
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _show(value)


def _group_by_key(con: duckdb.DuckDBPyConnection, table: RawTable) -> str | None:
    """The table's exact duplicates, and the conflicting keys of its unique_key check: the
    temporary table of them, None when there are none.

    Only rows that share a key (or lack part of one) can be duplicates or conflicts, so the
    distinct rows are taken among those only, not among all the rows of the table.
    """
    contract, view = table.contract, table.view
    present = [_ident(text_column(c)) for c in contract.columns if table.has(c.name)]
    if not (contract.primary_key and table.has(*contract.primary_key)):
        if not table.missing_columns:  # no key to narrow the rows down: every row counts
            table.exact_duplicates = con.execute(
                f"select count(*) - (select count(*) from (select distinct {', '.join(present)} "
                f"from {view})) from {view}"
            ).fetchone()[0]
        return None
    key = [_ident(text_column(contract.column(k))) for k in contract.primary_key]
    keys, incomplete = ", ".join(key), " or ".join(f"{k} is null" for k in key)
    shared, rows = _helper(table, "shared_keys"), _helper(table, "key_rows")
    conflicting = _helper(table, "conflicting_keys")
    con.execute(
        f"create temp table {shared} as select {keys} from {view} group by all "
        f"having count(*) > 1 or {incomplete}"
    )
    if not con.execute(f"select count(*) from {shared}").fetchone()[0]:
        # every row has a key of its own: no conflicts, no duplicates
        table.exact_duplicates = None if table.missing_columns else 0
        return None
    # the distinct rows behind those keys, with how many copies of each the file has
    con.execute(
        f"create temp table {rows} as select {', '.join(present)}, count(*) as __copies "
        f"from {view} where {incomplete} or ({keys}) in "
        f"(select {keys} from {shared} where not ({incomplete})) group by all"
    )
    con.execute(
        f"create temp table {conflicting} as select {keys} from {rows} "
        f"where not ({incomplete}) group by all having count(*) > 1"
    )
    if not table.missing_columns:
        table.exact_duplicates = con.execute(
            f"select coalesce(sum(__copies) - count(*), 0) from {rows}"
        ).fetchone()[0]
    return conflicting


def _checked_view(con: duckdb.DuckDBPyConnection, table: RawTable, conflicting: str | None):
    """The table's view with its lookups joined on: whether the account is unknown
    (UNKNOWN_ACCOUNT) and whether different rows share the key (CONFLICTING_KEY).

    Joined once, under every rule of the scan, rather than a subquery per rule: each value is
    then trimmed and cast once per row, not once per rule that reads it.
    """
    contract = table.contract
    lookups, joins = ["raw_row.*"], []
    account_column = contract.references_accounts
    if any(check.rule == "references_accounts" for check in table.checks):
        account = f"raw_row.{_ident(account_column)}"
        joins.append(f"left join {KNOWN_ACCOUNTS} as known on {account} = known.account_id")
        lookups.append(f"{account} is not null and known.account_id is null as {UNKNOWN_ACCOUNT}")
    if any(check.rule == "unique_key" for check in table.checks):
        if conflicting is None:
            lookups.append(f"false as {CONFLICTING_KEY}")
        else:
            key = [_ident(text_column(contract.column(k))) for k in contract.primary_key]
            matched = " and ".join(f"raw_row.{k} = conflicting.{k}" for k in key)
            joins.append(f"left join {conflicting} as conflicting on {matched}")
            lookups.append(f"conflicting.{key[0]} is not null as {CONFLICTING_KEY}")
    view = _helper(table, "checked")
    con.execute(
        f"create temp view {view} as select {', '.join(lookups)} "
        f"from {table.view} as raw_row {' '.join(joins)}"
    )
    return view


def _examples(
    con: duckdb.DuckDBPyConnection, table: RawTable, broken: dict[RawCheck, int]
) -> dict[RawCheck, list[str]]:
    """The first EXAMPLES_SHOWN broken values of each broken check, in file order, in one scan."""
    # An empty value as pandas showed it: NaN in a column with values, None in one without.
    found = {
        check: ["nan" if count < table.row_count else "None"] * min(count, EXAMPLES_SHOWN)
        for check, count in broken.items()
        if check.shown is None
    }
    shown = [check for check in broken if check.shown is not None]
    if shown:
        firsts = [
            f"min_by(({', '.join(c.shown)}), __row, {EXAMPLES_SHOWN}) filter (where {c.broken})"
            for c in shown
        ]
        values = con.execute(f"select {', '.join(firsts)} from {table.checked_view}").fetchone()
        found |= {c: [_example(v) for v in first] for c, first in zip(shown, values, strict=True)}
    return found


def check_table(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    accounts_known: bool,
    currencies: list[str] | None,
    previous_count: int | None,
    factor: float,
) -> list[Failure]:
    """Run the checks of one registered table in DuckDB; its failures in check order.

    Sets the table's row count, latest activity, rejected rows and exact duplicates. A file
    that turns out unreadable while its rows are read gets `error` (and no view) instead.
    """
    table.checks = table_checks(table, accounts_known, currencies, previous_count, factor)
    row_checks = [c for c in table.checks if c.broken is not None]
    text_columns = [text_column(c) for c in table.contract.columns if table.has(c.name)]
    activity = [
        column
        for name, column in ACTIVITY_COLUMNS
        if name == table.contract.name and table.has(column)
    ]
    try:
        table.checked_view = _checked_view(con, table, _group_by_key(con, table))
        # one scan of the file counts every row rule
        counted = [f"count_if({c.broken})" for c in row_checks]
        counted += [f"max({_ident(column)})" for column in activity]
        counts = con.execute(
            f"select {', '.join(['count(*)', *counted])} from {table.checked_view}"
        ).fetchone()
        table.row_count = counts[0]
        broken = dict(zip(row_checks, counts[1 : 1 + len(row_checks)], strict=True))
        latest = zip(activity, counts[1 + len(row_checks) :], strict=True)
        table.latest = {column: value for column, value in latest if value is not None}
        failures = [
            Failure("raw", check.table, check.column, check.rule, check.description)
            for check in sorted(table.checks, key=lambda c: c.column or "")
            if check.rule == "required_column" and check.column in table.missing_columns
        ]
        failing = [c for c in row_checks if broken[c]]
        examples = _examples(con, table, {c: broken[c] for c in failing})
        for check in failing:
            failures.append(
                Failure(
                    "raw",
                    check.table,
                    check.column,
                    check.rule,
                    check.description,
                    broken[check],
                    examples[check],
                )
            )
        if failing:
            where = " or ".join(f"({c.broken})" for c in failing)
            table.rejected_rows = con.execute(
                f"select count(*) from (select distinct {', '.join(map(_ident, text_columns))} "
                f"from {table.checked_view} where {where})"
            ).fetchone()[0]
    except duckdb.OutOfMemoryException:
        raise  # not the file's fault: the run fails with the error itself
    except duckdb.Error as error:
        table.error = str(error).splitlines()[0]
        table.view, table.checked_view, table.row_count = None, None, None
        table.rejected_rows, table.exact_duplicates = None, None
        table.latest = {}
        return []
    for check in table.checks:
        if check.rule == "volume" and not check.bounds[0] <= table.row_count <= check.bounds[1]:
            failures.append(
                Failure(
                    "raw",
                    check.table,
                    None,
                    "volume",
                    f"{check.description}; observed {table.row_count}",
                )
            )
    return failures


def exact_duplicate_notes(tables: dict[str, RawTable]) -> list[str]:
    notes = []
    for table in tables.values():
        if table.exact_duplicates:
            notes.append(
                f"raw.{table.contract.name}: {table.exact_duplicates} exact duplicate row(s); "
                "staging collapses them (not a failure)"
            )
    return notes


def read_activity_dates(con: duckdb.DuckDBPyConnection, tables: dict[str, RawTable]):
    """The dates `latest_activity_date` needs, as int_as_of_date_resolved reads them (the
    latest ACTIVITY_COLUMNS values were taken by `check_table`)."""
    last_end = None
    lines = tables.get("subscription_line_items")
    if lines is not None and lines.has("end_date") and lines.row_count:
        # an absent line_type is its default, recurring
        where = " where line_type = 'recurring'" if lines.has("line_type") else ""
        recurring, ended, last = con.execute(
            f"select count(*), count(end_date), max(end_date) from {lines.view}{where}"
        ).fetchone()
        if recurring and ended == recurring:
            last_end = last
    latest = []
    for name, column in ACTIVITY_COLUMNS:
        value = tables[name].latest.get(column) if name in tables else None
        if value is not None:
            latest.append(value.date() if isinstance(value, datetime) else value)
    return ActivityDates(tuple(latest), last_end)


def latest_activity_date(activity: ActivityDates, today: date) -> date:
    """The default as_of_date, as int_as_of_date_resolved computes it from the raw data.

    The latest line-item start, invoice issue or usage-event date and, in a finished book (every
    recurring line has an end date, the latest on or before `today`), the last line-item end;
    never after `today`.
    """
    latest = list(activity.latest)
    if activity.last_recurring_end is not None and activity.last_recurring_end <= today:
        latest.append(activity.last_recurring_end)
    return min(max(latest), today) if latest else today


def _percent(share: float) -> str:
    return f"{100 * share:.2f}%"


def _rows(count: int | None) -> str:
    return f"{count} row" + ("" if count == 1 else "s")


def apply_rejected_share(
    failures: list[Failure], tables: dict[str, RawTable], limits: RejectedShareLimits
) -> tuple[list[Failure], list[str]]:
    """Tolerate what `dbt build` tolerates: row-level failures of a table within its limit.

    The rejected share of a table is its distinct rows that break any row-level rule
    (`RawTable.rejected_rows`, counted in DuckDB) over its raw rows. Within the limit its row
    failures become one note; above it the table fails with rule `rejected_share` (share,
    limit, top reasons) ahead of its row failures. Table-level failures (a missing column, a
    volume jump, an unreadable file) always fail.
    """
    by_table: dict[str, list[Failure]] = {}
    for failure in failures:
        if failure.rule in ROW_RULES and failure.unexpected_count is not None:
            by_table.setdefault(failure.table, []).append(failure)
    kept, notes = [], []
    failing: dict[str, Failure] = {}
    for name, row_failures in by_table.items():
        table = tables[name.removeprefix("raw.")]
        raw_rows, rejected = table.row_count, table.rejected_rows
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
    limits: RejectedShareLimits | None = None,
    temp_directory: Path | None = None,
) -> RawValidation:
    """Validate the raw folder in DuckDB (`raw_connection(temp_directory)`).

    Failures come as the scheduled run reports them: missing and unreadable files first, then
    each table's broken checks. Row-level failures within a table's rejected-share limit are
    notes, not failures (`apply_rejected_share`).
    """
    raw_path = Path(raw_path)
    with raw_connection(temp_directory) as con:
        tables = {c.name: register_raw_table(con, raw_path, c) for c in contracts}
        fx_rates = tables.get("fx_rates")
        # no fx_rates file: only USD has a rate
        currencies = [] if fx_rates is not None and fx_rates.path is None else None
        accounts_known = False
        table_failures: dict[str, list[Failure]] = {}
        for table in sorted(
            tables.values(), key=lambda t: t.contract.name not in REFERENCED_TABLES
        ):
            if table.view is None:
                continue
            previous = (previous_counts or {}).get(table.contract.name)
            table_failures[table.contract.name] = check_table(
                con, table, accounts_known, currencies, previous, factor
            )
            if table is tables.get("accounts") and table.has("account_id"):
                con.execute(
                    f"create temp table {KNOWN_ACCOUNTS} as select distinct account_id "
                    f"from {table.view} where account_id is not null"
                )
                accounts_known = True
            if table is fx_rates and table.has("currency"):
                currencies = [
                    row[0]
                    for row in con.execute(
                        f"select distinct currency from {table.view} where currency is not null"
                    ).fetchall()
                ]
        activity = read_activity_dates(con, tables)
    failures = []
    for table in tables.values():
        name = f"raw.{table.contract.name}"
        if table.path is None and table.contract.required:
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
        elif table.error is not None:
            failures.append(
                Failure("raw", name, None, "readable", f"{table.path} is unreadable: {table.error}")
            )
    failures += [f for name in tables for f in table_failures.get(name, [])]
    failures, share_notes = apply_rejected_share(failures, tables, limits or RejectedShareLimits())
    counts = {name: t.row_count for name, t in tables.items() if t.row_count is not None}
    return RawValidation(
        failures, counts, tables, share_notes + exact_duplicate_notes(tables), activity
    )
