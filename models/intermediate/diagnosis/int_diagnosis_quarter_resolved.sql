{#-
    The as-of month of the NRR diagnosis (docs/definitions.md#nrr-diagnosis): the last month of
    the latest complete quarter at as_of_date, with the windows the diagnosis reads.
-#}
with

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

completed as (
    -- a month is complete when as_of_date is its last day
    select
        as_of_date,
        cast(case
            when cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as date)
                = cast({{ dbt.dateadd('month', 1, 'as_of_month') }} as date)
                then as_of_month
            else cast({{ dbt.dateadd('month', -1, 'as_of_month') }} as date)
        end as date) as last_complete_month
    from as_of
),

quartered as (
    -- the last month of the quarter before the one that follows the last complete month
    select
        as_of_date,
        cast({{ dbt.dateadd(
            'month', -1,
            dbt.date_trunc('quarter', dbt.dateadd('month', 1, 'last_complete_month'))
        ) }} as date) as diagnosis_month
    from completed
),

final as (
    select
        as_of_date,
        diagnosis_month as as_of_month,
        cast({{ dbt.dateadd('month', -2, 'diagnosis_month') }} as date) as as_of_quarter_start,
        cast({{ dbt.dateadd('month', -11, 'diagnosis_month') }} as date) as ttm_start_month,
        cast({{ dbt.dateadd('month', -12, 'diagnosis_month') }} as date) as ttm_baseline_month,
        cast({{ dbt.dateadd('month', -5, 'diagnosis_month') }} as date) as recent_start_month,
        cast({{ dbt.dateadd('month', -17, 'diagnosis_month') }} as date) as prior_start_month
    from quartered
)

select * from final
