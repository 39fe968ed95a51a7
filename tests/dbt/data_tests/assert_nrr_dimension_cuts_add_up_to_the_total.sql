-- For every window, month and dimension, the cuts of fct_net_revenue_retention_by_dimension add
-- up to fct_net_revenue_retention: no account is lost or counted twice by a cut.
with

totals as (
    select * from {{ ref('fct_net_revenue_retention') }}
),

cuts as (
    select * from {{ ref('fct_net_revenue_retention_by_dimension') }}
),

summed_cuts as (
    select
        as_of_month,
        window_months,
        dimension_name,
        sum(cohort_customers) as cohort_customers,
        sum(retained_customers) as retained_customers,
        sum(starting_arr) as starting_arr,
        sum(ending_arr) as ending_arr
    from cuts
    group by as_of_month, window_months, dimension_name
),

dimension_names as (
    select distinct dimension_name from cuts
),

final as (
    select
        totals.as_of_month,
        totals.window_months,
        dimension_names.dimension_name
    from totals
    cross join dimension_names
    left join summed_cuts
        on totals.as_of_month = summed_cuts.as_of_month
        and totals.window_months = summed_cuts.window_months
        and dimension_names.dimension_name = summed_cuts.dimension_name
    -- an empty cohort has no value to cut by, so no cut rows
    where totals.cohort_customers <> coalesce(summed_cuts.cohort_customers, 0)
        or totals.retained_customers <> coalesce(summed_cuts.retained_customers, 0)
        or totals.starting_arr <> coalesce(summed_cuts.starting_arr, 0)
        or totals.ending_arr <> coalesce(summed_cuts.ending_arr, 0)
)

select * from final
