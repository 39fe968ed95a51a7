-- Each monthly waterfall amount equals the sum of the accounts' movements of that type in the
-- public monthly mart: the waterfall invents nothing and loses nothing.
with

waterfall as (
    select * from {{ ref('fct_arr_waterfall') }}
    where period_grain = 'month'
),

account_months as (
    select * from {{ ref('fct_account_arr_monthly') }}
),

movement_sums as (
    select
        month,
        sum(previous_arr) as starting_arr,
        sum(case when movement_type = 'new' then movement_arr else 0 end) as new_arr,
        sum(case when movement_type = 'reactivation' then movement_arr else 0 end)
            as reactivation_arr,
        sum(case when movement_type = 'expansion' then movement_arr else 0 end) as expansion_arr,
        sum(case when movement_type = 'contraction' then -movement_arr else 0 end)
            as contraction_arr,
        sum(case when movement_type = 'churn' then -movement_arr else 0 end) as churned_arr,
        sum(arr) as ending_arr
    from account_months
    group by month
),

final as (
    select
        waterfall.period_start,
        waterfall.new_arr,
        movement_sums.new_arr as summed_new_arr
    from waterfall
    left join movement_sums
        on waterfall.period_start = movement_sums.month
    where coalesce(movement_sums.starting_arr, 0) <> waterfall.starting_arr
        or coalesce(movement_sums.new_arr, 0) <> waterfall.new_arr
        or coalesce(movement_sums.reactivation_arr, 0) <> waterfall.reactivation_arr
        or coalesce(movement_sums.expansion_arr, 0) <> waterfall.expansion_arr
        or coalesce(movement_sums.contraction_arr, 0) <> waterfall.contraction_arr
        or coalesce(movement_sums.churned_arr, 0) <> waterfall.churned_arr
        or coalesce(movement_sums.ending_arr, 0) <> waterfall.ending_arr
)

select * from final
