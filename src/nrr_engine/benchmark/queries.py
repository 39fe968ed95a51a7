"""Work done in DuckDB directly, to compare dbt against.

- the floor: one query that reads every raw table once and aggregates the usage events to
  account-day; no dbt build can do less;
- the hand-written revenue core: line items -> month spine -> month-end ARR per account ->
  lag -> movement -> waterfall, as plain SQL on the raw files.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from .data import _sql_str, connect, raw_tables


def _reader(path: Path) -> str:
    if path.suffix == ".csv":
        return f"read_csv({_sql_str(path)}, header = true, all_varchar = true)"
    return f"read_parquet({_sql_str(path)})"


def floor_sql(raw: Path) -> str:
    """One query: every raw table read in full (a hash of each row, so every column is
    decoded), and the usage events aggregated to account x day."""
    tables = raw_tables(raw)
    if "usage_events" not in tables:
        raise FileNotFoundError(f"{raw} has no usage_events file")
    ctes = [
        f"""usage_days as (
            select
                account_id,
                cast(occurred_at as date) as usage_date,
                count(*) as events,
                count(distinct session_id) as sessions,
                count(distinct user_id) as users
            from {_reader(tables["usage_events"])}
            group by account_id, cast(occurred_at as date)
        )"""
    ]
    selects = [
        "(select count(*) from usage_days) as account_days",
        "(select sum(events) from usage_days) as usage_events",
    ]
    for table, path in tables.items():
        if table == "usage_events":
            continue
        ctes.append(
            f"scan_{table} as (select count(*) as n, bit_xor(hash(t)) as h "
            f"from {_reader(path)} as t)"
        )
        selects += [f"(select n from scan_{table}) as {table}_rows"]
        selects += [f"(select h from scan_{table}) as {table}_hash"]
    return f"with {', '.join(ctes)} select {', '.join(selects)}"


def run_floor(raw: Path, settings: dict) -> dict:
    """Time the floor query in a fresh connection with the profile's settings."""
    sql = floor_sql(raw)
    t0 = time.perf_counter()
    con = connect(**settings)
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        row = dict(zip(names, cursor.fetchone(), strict=True))
    finally:
        con.close()
    wall = time.perf_counter() - t0
    return {
        "wall_seconds": wall,
        "account_days": int(row["account_days"]),
        "usage_events": int(row["usage_events"] or 0),
        "rows_read": int(row["usage_events"] or 0)
        + sum(int(v) for k, v in row.items() if k.endswith("_rows")),
    }


# --------------------------------------------------------------------------------------------
# the revenue core, by hand

HANDWRITTEN_STEPS: list[tuple[str, str]] = [
    (
        "line_items_annualized",
        """
        create or replace table line_items_annualized as
        select
            l.account_id,
            l.start_date,
            l.end_date,
            cast(l.quantity as double) * cast(l.unit_price as double)
                * (1 - cast(l.discount_pct as double)) * 12 / l.interval_months
                * coalesce(cast(f.rate_to_usd as double), 1) as arr_usd
        from {line_items} as l
        left join {fx_rates} as f on l.currency = f.currency
        where l.line_type = 'recurring'
        """,
    ),
    (
        "month_spine",
        """
        create or replace table month_spine as
        with bounds as (
            select date_trunc('month', min(start_date)) as first_month
            from line_items_annualized
            where start_date <= {as_of}
        )
        select
            cast(m.month as date) as month,
            case
                when m.month = date_trunc('month', {as_of}) then {as_of}
                else cast(m.month + interval 1 month - interval 1 day as date)
            end as snapshot_date
        from bounds,
            range(bounds.first_month, date_trunc('month', {as_of}) + interval 1 day,
                interval 1 month) as m(month)
        """,
    ),
    (
        "account_arr_snapshotted",
        """
        create or replace table account_arr_snapshotted as
        with arr as (
            select l.account_id, s.month, cast(round(sum(l.arr_usd), 2) as decimal(18, 2)) as arr
            from line_items_annualized as l
            join month_spine as s
                on l.start_date <= s.snapshot_date
                and (l.end_date is null or l.end_date > s.snapshot_date)
            group by l.account_id, s.month
        ),
        first_month as (
            select account_id, min(month) as first_month from arr where arr > 0 group by 1
        )
        select f.account_id, s.month, s.snapshot_date, coalesce(a.arr, 0) as arr
        from first_month as f
        join month_spine as s on s.month >= f.first_month
        left join arr as a on a.account_id = f.account_id and a.month = s.month
        """,
    ),
    (
        "account_arr_classified",
        """
        create or replace table account_arr_classified as
        with history as (
            select
                *,
                coalesce(lag(arr) over w, 0) as previous_arr,
                max(case when arr > 0 then month end) over (
                    w rows between unbounded preceding and 1 preceding
                ) as last_month_with_arr
            from account_arr_snapshotted
            window w as (partition by account_id order by month)
        )
        select
            account_id,
            month,
            arr,
            previous_arr,
            case
                when previous_arr = 0 and last_month_with_arr is null then 'new'
                when previous_arr = 0 then 'reactivation'
                when arr = 0 then 'churn'
                when arr > previous_arr then 'expansion'
                when arr < previous_arr then 'contraction'
                else 'flat'
            end as movement_type,
            cast(arr - previous_arr as decimal(18, 2)) as movement_arr
        from history
        where arr > 0 or previous_arr > 0
        """,
    ),
    (
        "arr_waterfall",
        """
        create or replace table arr_waterfall as
        with monthly as (
            select
                s.month,
                coalesce(sum(c.previous_arr), 0) as starting_arr,
                coalesce(sum(c.movement_arr) filter (c.movement_type = 'new'), 0) as new_arr,
                coalesce(sum(c.movement_arr) filter (c.movement_type = 'reactivation'), 0)
                    as reactivation_arr,
                coalesce(sum(c.movement_arr) filter (c.movement_type = 'expansion'), 0)
                    as expansion_arr,
                coalesce(-sum(c.movement_arr) filter (c.movement_type = 'contraction'), 0)
                    as contraction_arr,
                coalesce(-sum(c.movement_arr) filter (c.movement_type = 'churn'), 0)
                    as churned_arr,
                coalesce(sum(c.arr), 0) as ending_arr,
                count(*) filter (c.previous_arr > 0) as starting_customers,
                count(*) filter (c.arr > 0) as ending_customers
            from month_spine as s
            left join account_arr_classified as c on c.month = s.month
            where s.month >= (select min(month) from account_arr_classified)
            group by s.month
        ),
        grains as (
            select 'month' as grain, month as period_start, * from monthly
            union all
            select 'quarter', cast(date_trunc('quarter', month) as date), * from monthly
            union all
            select 'year', cast(date_trunc('year', month) as date), * from monthly
        )
        select
            grain as period_grain,
            period_start,
            arg_min(starting_arr, month) as starting_arr,
            sum(new_arr) as new_arr,
            sum(reactivation_arr) as reactivation_arr,
            sum(expansion_arr) as expansion_arr,
            sum(contraction_arr) as contraction_arr,
            sum(churned_arr) as churned_arr,
            arg_max(ending_arr, month) as ending_arr,
            arg_min(starting_customers, month) as starting_customers,
            arg_max(ending_customers, month) as ending_customers
        from grains
        group by grain, period_start
        """,
    ),
]


def run_handwritten_revenue(raw: Path, as_of_date: str, database: Path, settings: dict) -> dict:
    """Run the hand-written revenue core into ``database`` (a file, as dbt's tables are)."""
    tables = raw_tables(raw)
    for needed in ("subscription_line_items", "fx_rates"):
        if needed not in tables:
            raise FileNotFoundError(f"{raw} has no {needed} file")
    database.unlink(missing_ok=True)
    params = {
        "line_items": _reader(tables["subscription_line_items"]),
        "fx_rates": _reader(tables["fx_rates"]),
        "as_of": f"date '{as_of_date}'",
    }
    steps = {}
    t0 = time.perf_counter()
    con = connect(database=database, **settings)
    try:
        for name, sql in HANDWRITTEN_STEPS:
            s0 = time.perf_counter()
            con.execute(sql.format(**params))
            steps[name] = round(time.perf_counter() - s0, 4)
        wall = time.perf_counter() - t0
        movements = con.execute(
            "select movement_type, count(*), sum(movement_arr) from account_arr_classified "
            "group by 1 order by 1"
        ).fetchall()
    finally:
        con.close()
    return {"wall_seconds": wall, "steps": steps, "movements": _movements(movements)}


def _movements(rows) -> dict:
    return {kind: {"rows": int(n), "movement_arr": float(total)} for kind, n, total in rows}


def dbt_movements(warehouse: Path) -> dict:
    """The same summary from dbt's fct_account_arr_monthly (read-only)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select movement_type, count(*), sum(movement_arr) "
            "from revenue.fct_account_arr_monthly group by 1 order by 1"
        ).fetchall()
    return _movements(rows)


def warehouse_scalar(warehouse: Path, sql: str):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(sql).fetchone()
    return None if row is None else row[0]
