{#-
    The health history with what happened next, for calibration and backtests
    (docs/definitions.md#calibration), read from the scored intermediate, not from the health
    mart, so no edge runs back up the layers: for each snapshot, the day the account's paid
    period containing the snapshot ended (its churn date, null while it runs on), and the last day
    outcomes are known (as_of_date). Accounts beyond `calibration_max_accounts` are left out,
    the same ones every run (docs/definitions.md#calibration). `is_scored` is false for
    snapshots with no health score (band `insufficient_data`, null composite): they stay here so
    that the Python models can count them, and are left out of every fit and measure.
-#}
with

health as (
    select * from {{ ref('int_account_health_scored') }}
),

periods as (
    select * from {{ ref('int_account_paid_periods_islanded') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

accounts as (
    -- read on its own, not from the `health` CTE: a CTE read twice may be materialized whole
    select distinct account_id from {{ ref('int_account_health_scored') }}
),

sampled_accounts as (
    -- at most `calibration_max_accounts` accounts, the same ones on every run (ranked by a hash
    -- of the id): a logistic regression on 21 signals needs no more, and the Python models
    -- load this table into memory
    select account_id
    from (
        select
            account_id,
            row_number() over (order by {{ dbt.hash('account_id') }}, account_id) as sample_rank
        from accounts
    ) as ranked
    where sample_rank <= {{ var('calibration_max_accounts') }}
),

final as (
    select
        health.*,
        periods.period_end as churn_date,
        as_of.as_of_date as outcome_known_until,
        (
            health.composite_score is not null
            and coalesce(health.band, '') <> 'insufficient_data'
        ) as is_scored
    from health
    inner join sampled_accounts
        on health.account_id = sampled_accounts.account_id
    cross join as_of
    left join periods
        on health.account_id = periods.account_id
        and health.snapshot_date >= periods.period_start
        and (periods.period_end is null or health.snapshot_date < periods.period_end)
)

select * from final
