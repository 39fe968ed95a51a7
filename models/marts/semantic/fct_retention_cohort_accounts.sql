{#-
    The account grain under fct_net_revenue_retention (docs/definitions.md#retention): for each
    retention window and month E with a full window, one row per cohort account (ARR > 0 at
    E - w) with its ARR at the window start and at E, the GRR numerator (ARR at E capped at the
    starting ARR), whether it kept ARR, and the ARR band of its starting ARR. Sums of these rows
    are the numerators and denominators of NRR, GRR and logo retention, which is what the
    semantic layer's ratio metrics read (docs/semantic_layer.md).
-#}
with

cohorts as (
    select * from {{ ref('int_retention_cohorts_paired') }}
),

arr_bands as (
    select * from {{ ref('arr_bands') }}
),

banded as (
    select
        cohorts.as_of_month,
        cohorts.window_months,
        cohorts.window_start_month,
        cohorts.account_id,
        cohorts.starting_arr,
        cohorts.ending_arr,
        arr_bands.arr_band as starting_arr_band
    from cohorts
    inner join arr_bands
        on cohorts.starting_arr >= arr_bands.lower_bound_usd
        and (arr_bands.upper_bound_usd is null or cohorts.starting_arr < arr_bands.upper_bound_usd)
),

final as (
    select
        as_of_month,
        window_months,
        window_start_month,
        account_id,
        starting_arr,
        ending_arr,
        cast(
            case when ending_arr < starting_arr then ending_arr else starting_arr end
            as {{ arr_type() }}
        ) as gross_retained_arr,
        cast(case when ending_arr > 0 then 1 else 0 end as {{ dbt.type_bigint() }})
            as is_retained,
        starting_arr_band
    from banded
)

select * from final
