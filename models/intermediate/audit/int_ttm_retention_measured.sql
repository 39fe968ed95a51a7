{#-
    The 12-month (TTM) retention measures of every month with a full window, computed with the
    same macro as revenue.fct_net_revenue_retention (docs/definitions.md#retention) from the
    cohort pairs, so that the plausibility checks judge the published figures without reading
    a mart of another domain.
-#}
with

cohorts as (
    select * from {{ ref('int_retention_cohorts_paired') }}
    where window_months = 12
),

final as (
    select
        as_of_month,
        window_start_month,
        {{ retention_measures() }}
    from cohorts
    group by as_of_month, window_start_month
)

select * from final
