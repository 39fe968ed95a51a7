{#-
    The quarterly series of the key metrics (docs/definitions.md#key-metrics-scorecard): one row
    per metric measured by quarter and calendar quarter, from the first quarter with ARR to the
    quarter of the latest complete month (that quarter to date). A cross-domain summary: it reads
    the revenue, onboarding and health marts, where each figure is defined and tested.
-#}
{%- set healthy_bands = var('key_metrics_healthy_bands') -%}

with

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

retention as (
    select * from {{ ref('fct_net_revenue_retention') }}
    where window_months = {{ var('attribution_window_months') }}
),

waterfall as (
    select * from {{ ref('fct_arr_waterfall') }}
    where period_grain = 'month'
),

first_value as (
    select * from {{ ref('fct_onboarding_milestones') }}
    where milestone = '{{ var("onboarding_first_value_milestone") }}'
),

health as (
    select * from {{ ref('fct_account_health') }}
    where arr > 0
),

latest_complete as (
    select
        as_of_date,
        case
            when {{ dbt.dateadd('day', 1, 'as_of_date') }} >= {{ dbt.dateadd('month', 1, 'as_of_month') }}
                then as_of_month
            else cast({{ dbt.dateadd('month', -1, 'as_of_month') }} as date)
        end as latest_complete_month
    from as_of
),

quarters as (
    -- each quarter is measured at its last month, or at the latest complete month for the
    -- quarter to date
    select
        quarter_list.quarter_start,
        latest_complete.as_of_date,
        case
            when quarter_list.quarter_end_month < latest_complete.latest_complete_month
                then quarter_list.quarter_end_month
            else latest_complete.latest_complete_month
        end as measured_month
    from (
        select distinct
            cast({{ dbt.date_trunc('quarter', 'period_start') }} as date) as quarter_start,
            cast({{ dbt.dateadd('month', 2, dbt.date_trunc('quarter', 'period_start')) }} as date)
                as quarter_end_month
        from waterfall
    ) as quarter_list
    cross join latest_complete
    where quarter_list.quarter_start <= latest_complete.latest_complete_month
),

measured_snapshot as (
    select
        quarter_start,
        measured_month,
        case
            when {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'measured_month')) }} < as_of_date
                then cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'measured_month')) }} as date)
            else as_of_date
        end as snapshot_limit
    from quarters
),

ttm_retention as (
    select
        quarters.quarter_start,
        cast(retention.nrr as {{ double_type() }}) as nrr,
        cast(retention.grr as {{ double_type() }}) as grr,
        1 - cast(retention.logo_retention as {{ double_type() }}) as logo_churn_annual
    from quarters
    left join retention
        on quarters.measured_month = retention.as_of_month
),

quarter_flows as (
    select
        quarters.quarter_start,
        {{ safe_ratio(
            'sum(waterfall.churned_customers)', 'sum(waterfall.starting_customers)', double_type()
        ) }}
            as logo_churn_monthly,
        {{ safe_ratio(
            'sum(waterfall.expansion_arr)',
            'sum(waterfall.new_arr) + sum(waterfall.expansion_arr)',
            double_type()
        ) }}
            as expansion_share_of_new_arr
    from quarters
    left join waterfall
        on waterfall.period_start >= quarters.quarter_start
        and waterfall.period_start <= quarters.measured_month
    group by quarters.quarter_start
),

signups as (
    -- accounts created in the quarter (up to its measured month) whose first-value window has
    -- ended: the activation rate's denominator and the sample of the median time
    select
        quarters.quarter_start,
        first_value.account_id,
        first_value.hours_to_reach,
        first_value.is_reached_within_window
    from quarters
    inner join first_value
        on first_value.signup_month >= quarters.quarter_start
        and first_value.signup_month <= quarters.measured_month
    where first_value.is_window_elapsed
),

signups_ranked as (
    -- accounts that have not reached first value rank after every reached one
    select
        quarter_start,
        hours_to_reach,
        is_reached_within_window,
        row_number() over (
            partition by quarter_start
            order by case when hours_to_reach is null then 1 else 0 end, hours_to_reach, account_id
        ) as time_rank,
        count(*) over (partition by quarter_start) as sample_accounts
    from signups
),

onboarding as (
    select
        quarter_start,
        {{ safe_ratio(
            'sum(case when is_reached_within_window then 1 else 0 end)', 'count(*)', double_type()
        ) }}
            as activation_rate,
        -- the median: the middle account (the lower of the two middle ones for an even count),
        -- null when it has not reached first value (fewer than half reached)
        max(case
            when time_rank = floor((sample_accounts + 1) / 2.0) then hours_to_reach
        end) as time_to_first_value
    from signups_ranked
    group by quarter_start
),

health_snapshots as (
    -- the quarter's last health snapshot (up to its measured month)
    select
        measured_snapshot.quarter_start,
        max(health.snapshot_date) as snapshot_date
    from measured_snapshot
    inner join health
        on health.snapshot_date >= measured_snapshot.quarter_start
        and health.snapshot_date <= measured_snapshot.snapshot_limit
    group by measured_snapshot.quarter_start
),

health_distribution as (
    select
        health_snapshots.quarter_start,
        -- over every paying account (insufficient_data included); null when no account of
        -- the snapshot has a scored band (no behavioural data yet)
        case
            when sum(case when health.composite_score is not null then 1 else 0 end) > 0
                then {{ safe_ratio(
                    "sum(case when health.band in ('" ~ healthy_bands | join("', '") ~ "') then 1 else 0 end)",
                    'count(*)',
                    double_type()
                ) }}
        end as healthy_account_share
    from health_snapshots
    inner join health
        on health_snapshots.snapshot_date = health.snapshot_date
    group by health_snapshots.quarter_start
),

measures as (
    select
        quarters.quarter_start,
        ttm_retention.nrr,
        ttm_retention.grr,
        ttm_retention.logo_churn_annual,
        quarter_flows.logo_churn_monthly,
        quarter_flows.expansion_share_of_new_arr,
        onboarding.activation_rate,
        onboarding.time_to_first_value,
        health_distribution.healthy_account_share
    from quarters
    left join ttm_retention on quarters.quarter_start = ttm_retention.quarter_start
    left join quarter_flows on quarters.quarter_start = quarter_flows.quarter_start
    left join onboarding on quarters.quarter_start = onboarding.quarter_start
    left join health_distribution on quarters.quarter_start = health_distribution.quarter_start
),

unpivoted as (
    {%- set metrics = ['nrr', 'grr', 'logo_churn_monthly', 'logo_churn_annual', 'time_to_first_value',
        'activation_rate', 'expansion_share_of_new_arr', 'healthy_account_share'] %}
    {% for metric in metrics -%}
        select
            '{{ metric }}' as metric_key,
            quarter_start,
            {{ metric }} as value
        from measures
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

final as (
    select
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(quarter_start as date) as quarter_start,
        cast(value as {{ double_type() }}) as value
    from unpivoted
)

select * from final
