-- The NRR recovery playbook's diagnostic sweep, step 2: each waterfall component as a share of
-- starting ARR over the trailing quarters, to see which one regressed (expansion falling,
-- contraction or churn rising). Compile with `dbt compile -s nrr_diagnostic_sweep`.
with

quarters as (
    select * from {{ ref('fct_arr_waterfall') }}
    where period_grain = 'quarter'
),

final as (
    select
        period_start,
        starting_arr,
        {{ safe_ratio('expansion_arr', 'starting_arr') }} as expansion_share,
        {{ safe_ratio('contraction_arr', 'starting_arr') }} as contraction_share,
        {{ safe_ratio('churned_arr', 'starting_arr') }} as churn_share,
        {{ safe_ratio('reactivation_arr', 'starting_arr') }} as reactivation_share,
        {{ safe_ratio('churned_customers', 'starting_customers') }} as logo_churn_share
    from quarters
)

select * from final
order by period_start desc
