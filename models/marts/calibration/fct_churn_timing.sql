{#-
    When churn happens (docs/definitions.md#calibration): the share of churn events in the
    playbook's buckets of days since first revenue (0-30 activation failure, 31-90 adoption
    stall, 91-180 value gap, 180+ relationship decay), overall, by signup cohort and by segment;
    and, with timing_grain = 'tenure_month', by month of tenure, where a renewal cliff shows.
    A split (dimension value and grain) with fewer than `survival_min_events` churn events gets
    one row with its count and the reason instead of shares (docs/definitions.md#minimums); the
    overall splits always have a row, also without any churn.
-#}
{%- set min_events = var('survival_min_events') -%}
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

counted as (
    select
        dimension_name,
        dimension_value,
        timing_grain,
        timing_value,
        count(*) as churn_events
    from cut
    group by dimension_name, dimension_value, timing_grain, timing_value
),

overall_splits as (
    -- the overall splits exist even when the book has no churn at all
    select
        'all' as dimension_name,
        'all' as dimension_value,
        'playbook_bucket' as timing_grain
    union all
    select
        'all' as dimension_name,
        'all' as dimension_value,
        'tenure_month' as timing_grain
),

split_totals as (
    select
        dimension_name,
        dimension_value,
        timing_grain,
        sum(churn_events) as split_events
    from counted
    group by dimension_name, dimension_value, timing_grain
),

splits as (
    select
        split_totals.dimension_name,
        split_totals.dimension_value,
        split_totals.timing_grain,
        split_totals.split_events
    from split_totals
    union all
    select
        overall_splits.dimension_name,
        overall_splits.dimension_value,
        overall_splits.timing_grain,
        0 as split_events
    from overall_splits
    left join split_totals
        on overall_splits.dimension_name = split_totals.dimension_name
        and overall_splits.timing_grain = split_totals.timing_grain
    where split_totals.timing_grain is null
),

reported as (
    select
        counted.dimension_name,
        counted.dimension_value,
        counted.timing_grain,
        counted.timing_value,
        counted.churn_events,
        1.0 * counted.churn_events / splits.split_events as share_of_churn,
        'reported' as status,
        cast(null as {{ dbt.type_string() }}) as status_reason
    from counted
    inner join splits
        on counted.dimension_name = splits.dimension_name
        and counted.dimension_value = splits.dimension_value
        and counted.timing_grain = splits.timing_grain
    where splits.split_events >= {{ min_events }}
),

insufficient as (
    select
        dimension_name,
        dimension_value,
        timing_grain,
        cast(null as {{ dbt.type_string() }}) as timing_value,
        split_events as churn_events,
        cast(null as {{ dbt.type_float() }}) as share_of_churn,
        'insufficient_data' as status,
        cast(split_events as {{ dbt.type_string() }})
        || case when split_events = 1 then ' churn event' else ' churn events' end
        || '; at least {{ min_events }} are needed (survival_min_events)' as status_reason
    from splits
    where split_events < {{ min_events }}
),

final as (
    select
        dimension_name,
        dimension_value,
        timing_grain,
        timing_value,
        cast(churn_events as {{ dbt.type_bigint() }}) as churn_events,
        cast(share_of_churn as {{ ratio_type() }}) as share_of_churn,
        status,
        status_reason
    from reported
    union all
    select
        dimension_name,
        dimension_value,
        timing_grain,
        timing_value,
        cast(churn_events as {{ dbt.type_bigint() }}) as churn_events,
        cast(share_of_churn as {{ ratio_type() }}) as share_of_churn,
        status,
        status_reason
    from insufficient
)

select * from final
