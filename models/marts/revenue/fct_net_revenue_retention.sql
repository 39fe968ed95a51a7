{#- Cohort NRR, GRR and logo retention for every window and month (docs/definitions.md#retention). -#}
with

cohorts as (
    select * from {{ ref('int_retention_cohorts_paired') }}
),

final as (
    select
        as_of_month,
        window_months,
        window_start_month,
        {{ retention_measures() }}
    from cohorts
    group by as_of_month, window_months, window_start_month
)

select * from final
