"""The headline's caveats: each reason not to take a figure at face value, in plain words.

The relations are written by hand here with only the columns the report reads, so each caveat is
checked on its own: too little data for health, calibration held back, rows in quarantine.
"""

from __future__ import annotations

import duckdb

from nrr_engine.report import caveats


def warehouse_with(statements: list[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for statement in statements:
        con.execute(statement)
    return con


def test_a_warehouse_with_nothing_to_report_has_no_caveats():
    con = warehouse_with(
        [
            "create schema health",
            "create table health.fct_account_health as select * from (values "
            "('a', date '2026-10-26', 'healthy'), ('a', date '2026-11-02', 'thriving'))"
            " as t(account_id, snapshot_date, band)",
            "create schema calibration",
            "create table calibration.fct_health_backtest as select 'reported' as status, "
            "cast(null as varchar) as status_reason",
            "create schema audit",
            "create table audit.audit_row_reconciliation as select 'accounts' as source_table, "
            "0 as rejected_rows",
        ]
    )
    assert caveats(con) == []


def test_only_the_latest_snapshot_counts_for_insufficient_health_data():
    con = warehouse_with(
        [
            "create schema health",
            "create table health.fct_account_health as select * from (values "
            "('a', date '2026-10-26', 'insufficient_data'),"
            "('a', date '2026-11-02', 'insufficient_data'),"
            "('b', date '2026-11-02', 'healthy'),"
            "('c', date '2026-11-02', 'insufficient_data'),"
            "('d', date '2026-10-26', 'insufficient_data'))"
            " as t(account_id, snapshot_date, band)",
        ]
    )
    (line,) = caveats(con)
    assert line.startswith("health: 2 of 3 accounts have too little data for a score on 2026-11-02")


def test_calibration_marts_held_back_name_their_most_frequent_reasons():
    con = warehouse_with(
        [
            "create schema calibration",
            "create table calibration.fct_health_backtest as select * from (values "
            "('insufficient_data', '7 churn events in the test period; at least 30 are needed'),"
            "('insufficient_data', '7 churn events in the test period; at least 30 are needed'),"
            "('insufficient_data', '3 retained accounts; at least 30 are needed'),"
            "('insufficient_data', 'a third reason'),"
            "('reported', null)) as t(status, status_reason)",
            "create table calibration.fct_logo_survival as select 'reported' as status, "
            "cast(null as varchar) as status_reason",
        ]
    )
    assert caveats(con) == [
        "calibration.fct_health_backtest: 4 of 5 rows held back (insufficient_data): "
        "7 churn events in the test period; at least 30 are needed; "
        "3 retained accounts; at least 30 are needed; and 1 more reason(s)"
    ]


def test_calibration_groups_held_back_are_named():
    con = warehouse_with(
        [
            "create schema calibration",
            "create table calibration.fct_logo_survival as select * from (values "
            "('cohort', '2021-Q4', 'insufficient_data', '9 churn events in this group'),"
            "('cohort', '2022-Q1', 'reported', null),"
            "('cohort', '2022-Q1', 'reported', null),"
            "('segment', 'smb', 'insufficient_data', '22 accounts in this group'))"
            " as t(dimension_name, dimension_value, status, status_reason)",
        ]
    )
    assert caveats(con) == [
        "calibration.fct_logo_survival: 2 of 4 rows held back (insufficient_data), in cohort "
        "2021-Q4, segment smb: 22 accounts in this group; 9 churn events in this group"
    ]


def test_quarantined_rows_are_counted_per_table():
    con = warehouse_with(
        [
            "create schema audit",
            "create table audit.audit_row_reconciliation as select * from (values "
            "('accounts', 0), ('invoices', 3), ('usage_events', 1200))"
            " as t(source_table, rejected_rows)",
        ]
    )
    assert caveats(con) == [
        "quarantine: rows rejected by the raw contract (usage_events 1,200, invoices 3); "
        "see audit.audit_rejected_rows"
    ]
