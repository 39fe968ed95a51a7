{#-
    When churn happens (docs/definitions.md#calibration): the share of churn events in the
    playbook's buckets of days since first revenue (0-30 activation failure, 31-90 adoption
    stall, 91-180 value gap, 180+ relationship decay), overall, by signup cohort and by segment;
    and, with timing_grain = 'tenure_month', by month of tenure, where a renewal cliff shows.
-#}
with

churns as (
    select * from {{ ref('int_account_churns_listed') }}
),

bucketed as (
    select
        *,
        case
            when days_since_first_revenue <= 30 then '0-30'
            when days_since_first_revenue <= 90 then '31-90'
            when days_since_first_revenue <= 180 then '91-180'
            else '180+'
        end as playbook_bucket
    from churns
),

cut as (
    {% for dimension in ['all', 'signup_cohort', 'segment'] -%}
        select
            '{{ dimension }}' as dimension_name,
            {{ "'all'" if dimension == 'all' else dimension }} as dimension_value,
            'playbook_bucket' as timing_grain,
            playbook_bucket as timing_value
        from bucketed
        union all
    {% endfor -%}
    select
        'all' as dimension_name,
        'all' as dimension_value,
        'tenure_month' as timing_grain,
        cast(months_since_first_revenue as {{ dbt.type_string() }}) as timing_value
    from bucketed
),

final as (
    select
        dimension_name,
        dimension_value,
        timing_grain,
        timing_value,
        cast(count(*) as {{ dbt.type_bigint() }}) as churn_events,
        cast(1.0 * count(*) / sum(count(*)) over (
            partition by dimension_name, dimension_value, timing_grain
        ) as {{ ratio_type() }}) as share_of_churn
    from cut
    group by dimension_name, dimension_value, timing_grain, timing_value
)

select * from final
