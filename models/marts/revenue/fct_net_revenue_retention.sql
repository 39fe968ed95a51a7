{#-
    Cohort NRR, GRR and logo retention for every window and month (docs/definitions.md#retention).
    A window whose start month has no ARR still has a row, with null ratios.
-#}
with

windows as (
    select * from {{ ref('int_retention_windows_listed') }}
),

cohorts as (
    select * from {{ ref('int_retention_cohorts_paired') }}
),

windowed as (
    select
        windows.as_of_month,
        windows.window_months,
        windows.window_start_month,
        cohorts.account_id,
        cohorts.starting_arr,
        cohorts.ending_arr
    from windows
    left join cohorts
        on windows.as_of_month = cohorts.as_of_month
        and windows.window_months = cohorts.window_months
),

final as (
    select
        as_of_month,
        window_months,
        window_start_month,
        {{ retention_measures() }}
    from windowed
    group by as_of_month, window_months, window_start_month
)

select * from final
