{#-
    The ARR waterfall by month, quarter and year (docs/definitions.md#waterfall):
    starting + new + reactivation + expansion - contraction - churned = ending, in ARR and in
    customers.
-#}
with

movements as (
    select * from {{ ref('int_account_arr_classified') }}
),

snapshots as (
    select * from {{ ref('int_month_snapshots_spined') }}
),

reporting_months as (
    -- every month from the first one with ARR, even when nothing moved
    select snapshots.month
    from snapshots
    where snapshots.month >= (select min(movements.month) from movements)
),

monthly as (
    select
        reporting_months.month,
        coalesce(sum(movements.previous_arr), 0) as starting_arr,
        {%- for movement in ['new', 'reactivation', 'expansion'] %}
            coalesce(sum(case
                when movements.movement_type = '{{ movement }}' then movements.movement_arr
            end), 0) as {{ movement }}_arr,
        {%- endfor %}
        {%- for movement in ['contraction', 'churn'] %}
            coalesce(sum(case
                when movements.movement_type = '{{ movement }}' then -movements.movement_arr
            end), 0) as {{ 'churned' if movement == 'churn' else movement }}_arr,
        {%- endfor %}
        coalesce(sum(movements.arr), 0) as ending_arr,
        count(case when movements.previous_arr > 0 then 1 end) as starting_customers,
        {%- for movement, counted in [
            ('new', 'new'), ('reactivation', 'reactivated'), ('expansion', 'expanded'),
            ('contraction', 'contracted'), ('churn', 'churned'), ('flat', 'flat')] %}
            count(case
                when movements.movement_type = '{{ movement }}' then 1
            end) as {{ counted }}_customers,
        {%- endfor %}
        count(case when movements.arr > 0 then 1 end) as ending_customers
    from reporting_months
    left join movements
        on reporting_months.month = movements.month
    group by reporting_months.month
),

{% set grains = ['month', 'quarter', 'year'] %}
{% for grain in grains %}
    {#- inlined in each call, not a named `window` clause: Snowflake and Redshift have none -#}
    {%- set period_in_order -%}
        partition by {{ dbt.date_trunc(grain, 'month') }}
        order by month
        rows between unbounded preceding and unbounded following
    {%- endset %}
    by_{{ grain }} as (
        select
            '{{ grain }}' as period_grain,
            cast({{ dbt.date_trunc(grain, 'month') }} as date) as period_start,
            first_value(monthly.starting_arr) over ({{ period_in_order }}) as period_starting_arr,
            first_value(monthly.starting_customers) over ({{ period_in_order }}) as period_starting_customers,
            last_value(monthly.ending_arr) over ({{ period_in_order }}) as period_ending_arr,
            last_value(monthly.ending_customers) over ({{ period_in_order }}) as period_ending_customers,
            monthly.*
        from monthly
    ),
{% endfor %}

periods as (
    {% for grain in grains -%}
        select
            period_grain,
            period_start,
            max(period_starting_arr) as starting_arr,
            sum(new_arr) as new_arr,
            sum(reactivation_arr) as reactivation_arr,
            sum(expansion_arr) as expansion_arr,
            sum(contraction_arr) as contraction_arr,
            sum(churned_arr) as churned_arr,
            max(period_ending_arr) as ending_arr,
            max(period_starting_customers) as starting_customers,
            sum(new_customers) as new_customers,
            sum(reactivated_customers) as reactivated_customers,
            sum(expanded_customers) as expanded_customers,
            sum(contracted_customers) as contracted_customers,
            sum(churned_customers) as churned_customers,
            sum(flat_customers) as flat_customers,
            max(period_ending_customers) as ending_customers,
            max(month) as last_month
        from by_{{ grain }}
        group by period_grain, period_start
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

final as (
    select
        period_grain,
        period_start,
        cast(last_month as date) as last_month,
        cast(starting_arr as {{ arr_type() }}) as starting_arr,
        cast(new_arr as {{ arr_type() }}) as new_arr,
        cast(reactivation_arr as {{ arr_type() }}) as reactivation_arr,
        cast(expansion_arr as {{ arr_type() }}) as expansion_arr,
        cast(contraction_arr as {{ arr_type() }}) as contraction_arr,
        cast(churned_arr as {{ arr_type() }}) as churned_arr,
        cast(ending_arr as {{ arr_type() }}) as ending_arr,
        cast(starting_customers as {{ dbt.type_bigint() }}) as starting_customers,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(reactivated_customers as {{ dbt.type_bigint() }}) as reactivated_customers,
        cast(expanded_customers as {{ dbt.type_bigint() }}) as expanded_customers,
        cast(contracted_customers as {{ dbt.type_bigint() }}) as contracted_customers,
        cast(churned_customers as {{ dbt.type_bigint() }}) as churned_customers,
        cast(flat_customers as {{ dbt.type_bigint() }}) as flat_customers,
        cast(ending_customers as {{ dbt.type_bigint() }}) as ending_customers
    from periods
)

select * from final
