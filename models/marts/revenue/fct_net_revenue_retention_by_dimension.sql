{#-
    fct_net_revenue_retention cut by segment, region, ICP tier, acquisition channel and ARR band
    (docs/definitions.md#retention). The ARR band is the band of the account's ARR at the window
    start; the other dimensions are the account's current attributes.
-#}
{%- set dimensions = ['segment', 'region', 'icp_tier', 'acquisition_channel', 'arr_band'] -%}

with

cohorts as (
    select * from {{ ref('int_retention_cohorts_paired') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

arr_bands as (
    select * from {{ ref('arr_bands') }}
),

described as (
    select
        cohorts.*,
        accounts.segment,
        accounts.region,
        cast(accounts.icp_tier as {{ dbt.type_string() }}) as icp_tier,
        accounts.acquisition_channel,
        arr_bands.arr_band
    from cohorts
    inner join accounts
        on cohorts.account_id = accounts.account_id
    inner join arr_bands
        on cohorts.starting_arr >= arr_bands.lower_bound_usd
        and (arr_bands.upper_bound_usd is null or cohorts.starting_arr < arr_bands.upper_bound_usd)
),

unpivoted as (
    {% for dimension in dimensions -%}
        select
            as_of_month,
            window_months,
            window_start_month,
            '{{ dimension }}' as dimension_name,
            {{ dimension }} as dimension_value,
            account_id,
            starting_arr,
            ending_arr
        from described
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

final as (
    select
        as_of_month,
        window_months,
        window_start_month,
        dimension_name,
        dimension_value,
        {{ retention_measures() }}
    from unpivoted
    group by as_of_month, window_months, window_start_month, dimension_name, dimension_value
)

select * from final
