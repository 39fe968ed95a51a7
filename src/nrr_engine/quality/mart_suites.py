"""Mart suites: bounds and identities of the published marts, run on the candidate warehouse.

Each ``MartSpec`` names a relation and the checks on it. A required mart (the revenue marts) that
does not exist fails the run (rule ``relation_exists``); an optional one (the health marts, which
arrive separately) is skipped with a logged note only when the relation does not exist; when it
exists, every check on it runs. Each mart's row count is also checked against the last published
run (rule ``volume``). The warehouse is opened read-only, each mart read into a DataFrame, and the
connection closed before GX runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from .raw_suites import volume_check
from .validation import Check, Failure, Suite

log = logging.getLogger(__name__)

CENT = 0.01
WATERFALL_MOVEMENTS = ["new_arr", "reactivation_arr", "expansion_arr", "contraction_arr"]
WATERFALL_AMOUNTS = ["starting_arr", *WATERFALL_MOVEMENTS, "churned_arr", "ending_arr"]


def _exists(table: str, *columns: str) -> list[Check]:
    return [
        Check(
            "ExpectTableColumnsToMatchSet",
            {"column_set": list(columns), "exact_match": False},
            table,
            None,
            "required_column",
            "the mart column must exist",
        )
    ]


def _between(
    table: str, column: str, low=None, high=None, rule: str = "range", what: str | None = None
) -> Check:
    bounds = [f">= {low}" if low is not None else "", f"<= {high}" if high is not None else ""]
    return Check(
        "ExpectColumnValuesToBeBetween",
        {"column": what or column, "min_value": low, "max_value": high},
        table,
        column,
        rule,
        f"{column} must be {' and '.join(b for b in bounds if b)}",
    )


def _unique(table: str, columns: list[str]) -> Check:
    if len(columns) == 1:
        return Check(
            "ExpectColumnValuesToBeUnique",
            {"column": columns[0]},
            table,
            columns[0],
            "unique_key",
            f"{columns[0]} must be unique",
        )
    return Check(
        "ExpectCompoundColumnsToBeUnique",
        {"column_list": columns},
        table,
        ", ".join(columns),
        "unique_key",
        f"({', '.join(columns)}) must be unique",
    )


def _has(frame: pd.DataFrame, *columns: str) -> bool:
    return all(c in frame.columns for c in columns)


def waterfall_checks(frame: pd.DataFrame, table: str) -> list[Check]:
    """Identities of fct_arr_waterfall, with the derived columns they read added to `frame`."""
    customers = [
        "starting_customers",
        "new_customers",
        "reactivated_customers",
        "churned_customers",
        "ending_customers",
    ]
    checks = _exists(table, "period_grain", "period_start", *WATERFALL_AMOUNTS, *customers)
    if not _has(frame, "period_grain", "period_start", *WATERFALL_AMOUNTS, *customers):
        return checks
    frame["arr_identity_residual"] = (
        frame["starting_arr"]
        + frame["new_arr"]
        + frame["reactivation_arr"]
        + frame["expansion_arr"]
        - frame["contraction_arr"]
        - frame["churned_arr"]
        - frame["ending_arr"]
    ).round(6)
    frame["customer_identity_residual"] = (
        frame["starting_customers"]
        + frame["new_customers"]
        + frame["reactivated_customers"]
        - frame["churned_customers"]
        - frame["ending_customers"]
    )
    months = frame[frame["period_grain"] == "month"].sort_values("period_start")
    start = pd.to_datetime(months["period_start"])
    month_number = start.dt.year * 12 + start.dt.month
    frame["months_since_previous_month"] = month_number.diff()
    frame["starting_minus_previous_ending"] = (
        months["starting_arr"] - months["ending_arr"].shift()
    ).round(6)
    identity = "starting + new + reactivation + expansion - contraction - churned"
    checks += [
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": "arr_identity_residual", "min_value": -CENT, "max_value": CENT},
            table,
            "ending_arr",
            "waterfall_identity",
            f"{identity} must equal ending_arr within a cent (examples: the residual)",
        ),
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": "customer_identity_residual", "min_value": 0, "max_value": 0},
            table,
            "ending_customers",
            "waterfall_identity",
            "starting + new + reactivated - churned customers must equal ending_customers",
        ),
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": "months_since_previous_month", "min_value": 1, "max_value": 1},
            table,
            "period_start",
            "consecutive_months",
            "month-grain period_start must be consecutive months, with no gap or repeat "
            "(examples: months since the previous row)",
        ),
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": "starting_minus_previous_ending", "min_value": -CENT, "max_value": CENT},
            table,
            "starting_arr",
            "continuity",
            "a month's starting_arr must equal the previous month's ending_arr within a cent",
        ),
        _unique(table, ["period_grain", "period_start"]),
    ]
    checks += [_between(table, c, 0, rule="non_negative") for c in WATERFALL_AMOUNTS]
    return checks


def retention_checks(frame: pd.DataFrame, table: str) -> list[Check]:
    checks = _exists(table, "as_of_month", "window_months", "nrr", "grr", "logo_retention")
    if not _has(frame, "as_of_month", "window_months", "nrr", "grr", "logo_retention"):
        return checks
    return checks + [
        _between(table, "nrr", 0, 3, rule="nrr_bounds"),
        _between(table, "grr", 0, 1, rule="grr_bounds"),
        _between(table, "logo_retention", 0, 1, rule="logo_retention_bounds"),
        Check(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "nrr",
                "column_B": "grr",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            table,
            "grr",
            "grr_not_above_nrr",
            "grr must not exceed nrr (examples: (nrr, grr))",
        ),
        _unique(table, ["as_of_month", "window_months"]),
    ]


def account_arr_checks(frame: pd.DataFrame, table: str) -> list[Check]:
    checks = _exists(table, "account_id", "month", "arr")
    if not _has(frame, "account_id", "month", "arr"):
        return checks
    return checks + [_unique(table, ["account_id", "month"]), _between(table, "arr", 0)]


def dim_accounts_checks(frame: pd.DataFrame, table: str) -> list[Check]:
    checks = _exists(table, "account_id")
    if not _has(frame, "account_id"):
        return checks
    not_null = Check(
        "ExpectColumnValuesToNotBeNull",
        {"column": "account_id"},
        table,
        "account_id",
        "not_null",
        "account_id must not be null",
    )
    return checks + [_unique(table, ["account_id"]), not_null]


def cohort_checks(frame: pd.DataFrame, table: str) -> list[Check]:
    checks = _exists(table, "logo_retention", "grr")
    if not _has(frame, "logo_retention", "grr"):
        return checks
    return checks + [
        _between(table, "logo_retention", 0, 1, rule="logo_retention_bounds"),
        _between(table, "grr", 0, 1, rule="grr_bounds"),
    ]


def health_checks(frame: pd.DataFrame, table: str) -> list[Check]:
    checks = _exists(table, "composite_score")
    if not _has(frame, "composite_score"):
        return checks
    return checks + [_between(table, "composite_score", 0, 100, rule="health_score_bounds")]


@dataclass(frozen=True)
class MartSpec:
    schema: str
    table: str
    required: bool
    checks: Callable[[pd.DataFrame, str], list[Check]]

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"


MART_SPECS: tuple[MartSpec, ...] = (
    MartSpec("revenue", "fct_arr_waterfall", True, waterfall_checks),
    MartSpec("revenue", "fct_net_revenue_retention", True, retention_checks),
    MartSpec("revenue", "fct_account_arr_monthly", True, account_arr_checks),
    MartSpec("revenue", "dim_accounts", True, dim_accounts_checks),
    MartSpec("revenue", "fct_cohort_retention", True, cohort_checks),
    MartSpec("health", "fct_account_health", False, health_checks),
)


@dataclass
class MartValidation:
    failures: list[Failure]
    row_counts: dict[str, int]
    notes: list[str]


def read_marts(
    warehouse: Path, specs: tuple[MartSpec, ...] = MART_SPECS
) -> tuple[dict[str, pd.DataFrame], list[Failure], list[str]]:
    """Each existing mart as a DataFrame (read-only); failures and notes for the missing ones."""
    frames, failures, notes = {}, [], []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        present = {
            (schema, name)
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        for spec in specs:
            if (spec.schema, spec.table) not in present:
                if spec.required:
                    failures.append(
                        Failure(
                            "marts",
                            spec.name,
                            None,
                            "relation_exists",
                            f"{spec.name} is not in the built warehouse",
                        )
                    )
                else:
                    note = f"skipped the suite of {spec.name}: the relation does not exist"
                    log.info(note)
                    notes.append(note)
                continue
            frames[spec.name] = con.sql(f'select * from "{spec.schema}"."{spec.table}"').df()
    return frames, failures, notes


def build_mart_suites(
    frames: dict[str, pd.DataFrame],
    previous_counts: dict[str, int] | None,
    factor: float,
    specs: tuple[MartSpec, ...] = MART_SPECS,
) -> list[Suite]:
    suites = []
    for spec in specs:
        if spec.name not in frames:
            continue
        frame = frames[spec.name]
        checks = spec.checks(frame, spec.name)
        volume = volume_check(spec.name, (previous_counts or {}).get(spec.name), factor)
        if volume is not None:
            checks.append(volume)
        suites.append(Suite(name=f"marts.{spec.name}", frame=frame, checks=checks))
    return suites


def validate_marts(
    warehouse: Path,
    previous_counts: dict[str, int] | None,
    factor: float,
    session,
    specs: tuple[MartSpec, ...] = MART_SPECS,
) -> MartValidation:
    """Validate the marts of a built warehouse; `session` is a `validation.GxSession`."""
    frames, failures, notes = read_marts(Path(warehouse), specs)
    suites = build_mart_suites(frames, previous_counts, factor, specs)
    failures += session.run(suites, stage="marts")
    counts = {name: len(frame) for name, frame in frames.items()}
    return MartValidation(failures, counts, notes)
