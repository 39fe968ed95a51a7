"""Print the headline retention figures of a built warehouse.

`make build` ends with this: the latest TTM NRR, GRR and logo retention, and the latest month's
ARR waterfall, read from the public marts (read-only, so it never holds the writer lock), then
the caveats: every flagged plausibility check (audit.audit_data_plausibility), accounts whose
health has too little data for a score, calibration figures held back below their minimums, and
rows in quarantine.
"""

from __future__ import annotations

import argparse
import os
import sys

import duckdb

TTM_WINDOW_MONTHS = 12


def _money(value) -> str:
    return f"${float(value):,.0f}"


def _share(value) -> str:
    return "n/a" if value is None else f"{float(value):.1%}"


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(found and found[0])


# Calibration marts that publish a status (`reported` | `insufficient_data`) with its reason.
CALIBRATION_MARTS = (
    "fct_health_backtest",
    "calibrated_health_weights",
    "fct_churn_signal_lift",
    "fct_logo_survival",
    "fct_churn_timing",
)
CALIBRATION_REASONS_SHOWN = 2


def caveats(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per reason not to take the figures at face value, from a built warehouse.

    - each flagged plausibility check (docs/definitions.md#plausibility), "<check_name>: <detail>";
    - accounts whose latest health snapshot is `insufficient_data`
      (docs/definitions.md#health-coverage);
    - each calibration mart that holds figures back below its minimums
      (docs/definitions.md#minimums), with its first reasons;
    - rows in quarantine (docs/definitions.md#bad-input).
    A relation that a warehouse lacks (an older build, or a partial `dbt build -s`) adds nothing.
    """
    lines: list[str] = []
    if _relation_exists(con, "audit", "audit_data_plausibility"):
        flagged = con.execute(
            """
            select check_name, detail
            from audit.audit_data_plausibility
            where is_flagged
            order by check_name
            """
        ).fetchall()
        lines += [f"{check_name}: {detail}" for check_name, detail in flagged]
    if _relation_exists(con, "health", "fct_account_health"):
        latest = con.execute(
            """
            select snapshot_date, count(*), count(*) filter (where band = 'insufficient_data')
            from health.fct_account_health
            where snapshot_date = (select max(snapshot_date) from health.fct_account_health)
            group by snapshot_date
            """
        ).fetchone()
        if latest and latest[2]:
            snapshot_date, accounts, insufficient = latest
            lines.append(
                f"health: {insufficient:,} of {accounts:,} accounts have too little data for a "
                f"score on {snapshot_date} (band insufficient_data: no behavioural input, or "
                "signal coverage under health_min_signal_coverage)"
            )
    for mart in CALIBRATION_MARTS:
        if _relation_exists(con, "calibration", mart):
            line = _held_back(con, mart)
            if line:
                lines.append(line)
    if _relation_exists(con, "audit", "audit_row_reconciliation"):
        rejected = con.execute(
            """
            select source_table, rejected_rows
            from audit.audit_row_reconciliation
            where rejected_rows > 0
            order by rejected_rows desc, source_table
            """
        ).fetchall()
        if rejected:
            tables = ", ".join(f"{table} {rows:,}" for table, rows in rejected)
            lines.append(
                f"quarantine: rows rejected by the raw contract ({tables}); "
                "see audit.audit_rejected_rows"
            )
    return lines


def _held_back(con: duckdb.DuckDBPyConnection, mart: str) -> str | None:
    """One calibration mart's caveat: how much it held back, which groups, the first reasons."""
    held, total = con.execute(
        f"select count(*) filter (where status = 'insufficient_data'), count(*) "
        f"from calibration.{mart}"
    ).fetchone()
    if not held:
        return None
    reasons = [
        reason
        for (reason,) in con.execute(
            f"""
            select status_reason
            from calibration.{mart}
            where status = 'insufficient_data'
            group by status_reason
            order by count(*) desc, status_reason
            """
        ).fetchall()
    ]
    line = f"calibration.{mart}: {held:,} of {total:,} rows held back (insufficient_data)"
    columns = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'calibration' and table_name = ?",
            [mart],
        ).fetchall()
    }
    if {"dimension_name", "dimension_value"} <= columns:
        groups = [
            f"{name} {value}"
            for name, value in con.execute(
                f"""
                select distinct dimension_name, dimension_value
                from calibration.{mart}
                where status = 'insufficient_data'
                order by dimension_name, dimension_value
                """
            ).fetchall()
        ]
        line += ", in " + ", ".join(groups)
    shown = "; ".join(reasons[:CALIBRATION_REASONS_SHOWN])
    more = len(reasons) - CALIBRATION_REASONS_SHOWN
    return line + f": {shown}" + (f"; and {more} more reason(s)" if more > 0 else "")


def headline(con: duckdb.DuckDBPyConnection) -> str:
    """The report as text, from an open connection to a built warehouse."""
    as_of = con.execute("select as_of_date from intermediate.int_as_of_date_resolved").fetchone()
    lines = [f"NRR engine: figures as of {as_of[0] if as_of else 'n/a'}"]

    retention = con.execute(
        """
        select as_of_month, window_start_month, cohort_customers, starting_arr, ending_arr,
               nrr, grr, logo_retention
        from revenue.fct_net_revenue_retention
        where window_months = ?
        order by as_of_month desc
        limit 1
        """,
        [TTM_WINDOW_MONTHS],
    ).fetchone()
    if retention is None:
        lines.append("TTM retention: no month has a full 12-month window yet")
    else:
        month, start, customers, starting, ending, nrr, grr, logos = retention
        lines += [
            f"TTM retention, cohort of {start:%Y-%m} ({customers} accounts, "
            f"{_money(starting)} ARR) measured at {month:%Y-%m}:",
            f"  NRR {_share(nrr)}   GRR {_share(grr)}   logo retention {_share(logos)}"
            f"   (ending ARR {_money(ending)})",
        ]

    waterfall = con.execute(
        """
        select period_start, starting_arr, new_arr, reactivation_arr, expansion_arr,
               contraction_arr, churned_arr, ending_arr, starting_customers, ending_customers
        from revenue.fct_arr_waterfall
        where period_grain = 'month'
        order by period_start desc
        limit 1
        """
    ).fetchone()
    if waterfall is None:
        lines.append("ARR waterfall: no month with ARR")
    else:
        month, start, new, react, expansion, contraction, churned, end, c_start, c_end = waterfall
        lines.append(f"ARR waterfall {month:%Y-%m}:")
        for label, amount, note in [
            ("starting", start, f"({c_start} customers)"),
            ("+ new", new, ""),
            ("+ reactivation", react, ""),
            ("+ expansion", expansion, ""),
            ("- contraction", contraction, ""),
            ("- churn", churned, ""),
            ("= ending", end, f"({c_end} customers)"),
        ]:
            lines.append(f"  {label:<16}{_money(amount):>16}  {note}".rstrip())

    notes = caveats(con)
    if notes:
        lines.append("Caveats:")
        lines += [f"  - {note}" for note in notes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duckdb-path",
        default=os.environ.get("NRR_DUCKDB_PATH", "warehouse/nrr.duckdb"),
        help="warehouse file to read (default: $NRR_DUCKDB_PATH or warehouse/nrr.duckdb)",
    )
    args = parser.parse_args(argv)
    if not os.path.exists(args.duckdb_path):
        print(f"no warehouse at {args.duckdb_path}: run `make build` first", file=sys.stderr)
        return 1
    with duckdb.connect(args.duckdb_path, read_only=True) as con:
        print(headline(con))
    return 0


if __name__ == "__main__":
    sys.exit(main())
