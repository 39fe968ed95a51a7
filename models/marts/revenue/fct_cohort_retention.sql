{#-
    Retention of start cohorts (docs/definitions.md#cohorts): accounts grouped by the month and the
    quarter of their first ARR, followed month by month from their own start, for the whole book
    (segment = 'all') and per segment.
-#}
with

account_arr as (
    select * from {{ ref('int_account_arr_snapshotted') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

aged as (
    select
        account_arr.account_id,
        accounts.segment,
        account_arr.month,
        account_arr.arr,
        -- account rows start at the first month with ARR
        min(account_arr.month) over (partition by account_arr.account_id) as first_arr_month,
        first_value(account_arr.arr) over (
            partition by account_arr.account_id
            order by account_arr.month
            rows between unbounded preceding and unbounded following
        ) as first_arr
    from account_arr
    inner join accounts
        on account_arr.account_id = accounts.account_id
),

by_grain as (
    {% for grain in ['month', 'quarter'] -%}
        {% for segmented in [false, true] -%}
            select
                '{{ grain }}' as cohort_grain,
                cast({{ dbt.date_trunc(grain, 'first_arr_month') }} as date) as cohort_start,
                {{ 'segment' if segmented else "'all'" }} as segment,  -- noqa: AL09
                cast({{ dbt.datediff('first_arr_month', 'month', 'month') }} as {{ dbt.type_bigint() }}) as months_since_start,
                first_arr,
                arr
            from aged
            {% if not loop.last %}union all
            {% endif -%}
        {%- endfor %}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

final as (
    select
        cohort_grain,
        cohort_start,
        segment,
        months_since_start,
        cast(count(*) as {{ dbt.type_bigint() }}) as cohort_customers,
        cast(count(case when arr > 0 then 1 end) as {{ dbt.type_bigint() }})
            as active_customers,
        cast(sum(first_arr) as {{ arr_type() }}) as starting_arr,
        cast(sum(arr) as {{ arr_type() }}) as arr,
        cast(sum(case when arr < first_arr then arr else first_arr end) as {{ arr_type() }})
            as gross_retained_arr,
        {{ safe_ratio('count(case when arr > 0 then 1 end)', 'count(*)') }} as logo_retention,
        {{ safe_ratio('sum(arr)', 'sum(first_arr)') }} as revenue_retention,
        {{ safe_ratio(
            'sum(case when arr < first_arr then arr else first_arr end)',
            'sum(first_arr)') }} as grr
    from by_grain
    group by cohort_grain, cohort_start, segment, months_since_start
)

select * from final
