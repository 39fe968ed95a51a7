{#-
    The health history with what happened next, for calibration and backtests
    (docs/definitions.md#calibration): for each snapshot, the day the account's paid period
    containing the snapshot ended (its churn date, null while it runs on), and the last day
    outcomes are known (as_of_date).
-#}
with

health as (
    select * from {{ ref('fct_account_health') }}
),

periods as (
    select * from {{ ref('int_account_paid_periods_islanded') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

final as (
    select
        health.*,
        periods.period_end as churn_date,
        as_of.as_of_date as outcome_known_until
    from health
    cross join as_of
    left join periods
        on health.account_id = periods.account_id
        and health.snapshot_date >= periods.period_start
        and (periods.period_end is null or health.snapshot_date < periods.period_end)
)

select * from final
