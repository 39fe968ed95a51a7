{#-
    Monthly snapshots of paying accounts for the community comparison
    (docs/definitions.md#community): one row per account and month start on which the account
    is in a paid period, with 180 days of follow-up (var community_outcome_window_days) before
    as_of_date, and with the whole member window (var community_member_window_days) covered by
    the community export (on or after its first activity + the window: before that, absence of
    activity says nothing). Per row: member (any community activity in the member window before
    the snapshot), logo churn in the outcome
    window (the paid period ends: ARR to zero), and the strata: segment, tenure band (months
    since first revenue, var community_tenure_band_months) and health stratum (ntile, var
    community_health_strata, of the latest health score in the week up to the snapshot computed
    without the community signal: the adoption, engagement and commercial category scores
    weighted by seed health_category_weights; the sentiment category holds
    community_participation, so it is left out).
-#}
{%- set member_days = var('community_member_window_days') -%}
{%- set outcome_days = var('community_outcome_window_days') -%}
{%- set bounds = var('community_tenure_band_months') -%}

with

months as (
    select * from {{ ref('int_month_snapshots_spined') }}
),

periods as (
    select * from {{ ref('int_account_paid_periods_islanded') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

community as (
    select * from {{ ref('stg_raw__community_activity') }}
),

health as (
    select * from {{ ref('int_account_health_scored') }}
),

category_weights as (
    select * from {{ ref('health_category_weights') }}
),

coverage as (
    -- the first day whose member window lies wholly inside the community export
    select
        {{ dbt.dateadd('day', member_days, 'cast(min(occurred_at) as date)') }} as covered_from
    from community
),

snapshot_dates as (
    select distinct cast(months.month as date) as snapshot_date
    from months
    cross join as_of
    cross join coverage
    where cast(months.month as date) >= coverage.covered_from
        and {{ dbt.dateadd('day', outcome_days, 'cast(months.month as date)') }}
        <= as_of.as_of_date
),

first_revenue as (
    select
        account_id,
        min(period_start) as first_revenue_date
    from periods
    group by account_id
),

paying as (
    select
        periods.account_id,
        snapshot_dates.snapshot_date,
        periods.period_end
    from periods
    inner join snapshot_dates
        on periods.period_start <= snapshot_dates.snapshot_date
        and (periods.period_end is null or periods.period_end > snapshot_dates.snapshot_date)
),

activity_in_window as (
    select
        paying.account_id,
        paying.snapshot_date,
        count(*) as activities
    from paying
    inner join community
        on paying.account_id = community.account_id
        and community.occurred_at
        >= cast({{ dbt.dateadd('day', -member_days, 'paying.snapshot_date') }} as timestamp)
        and community.occurred_at < cast(paying.snapshot_date as timestamp)
    group by paying.account_id, paying.snapshot_date
),

weights as (
    select
        max(case when category = 'adoption' then weight end) as adoption_weight,
        max(case when category = 'engagement' then weight end) as engagement_weight,
        max(case when category = 'commercial' then weight end) as commercial_weight
    from category_weights
),

health_without_community as (
    -- the adoption, engagement and commercial categories, weighted over those present
    select
        health.account_id,
        health.snapshot_date,
        (
            coalesce(health.adoption_score * weights.adoption_weight, 0)
            + coalesce(health.engagement_score * weights.engagement_weight, 0)
            + coalesce(health.commercial_score * weights.commercial_weight, 0)
        ) / nullif(
            case when health.adoption_score is null then 0 else weights.adoption_weight end
            + case when health.engagement_score is null then 0 else weights.engagement_weight end
            + case when health.commercial_score is null then 0 else weights.commercial_weight end,
            0
        ) as health_score
    from health
    cross join weights
    where coalesce(health.band, '') <> 'insufficient_data'
),

latest_health as (
    -- the latest health snapshot in the 7 days up to the monthly snapshot
    select
        paying.account_id,
        paying.snapshot_date,
        max(health_without_community.snapshot_date) as health_date
    from paying
    inner join health_without_community
        on paying.account_id = health_without_community.account_id
        and health_without_community.snapshot_date <= paying.snapshot_date
        and health_without_community.snapshot_date
        > {{ dbt.dateadd('day', -7, 'paying.snapshot_date') }}
    where health_without_community.health_score is not null
    group by paying.account_id, paying.snapshot_date
),

health_at_snapshot as (
    select
        latest_health.account_id,
        latest_health.snapshot_date,
        health_without_community.health_score
    from latest_health
    inner join health_without_community
        on latest_health.account_id = health_without_community.account_id
        and latest_health.health_date = health_without_community.snapshot_date
),

health_strata as (
    select
        account_id,
        snapshot_date,
        health_score,
        ntile({{ var('community_health_strata') }}) over (order by health_score, account_id, snapshot_date)
            as health_stratum
    from health_at_snapshot
),

joined as (
    select
        paying.account_id,
        paying.snapshot_date,
        accounts.segment,
        {{ dbt.datediff('first_revenue.first_revenue_date', 'paying.snapshot_date', 'month') }}
            as tenure_months,
        health_strata.health_score,
        health_strata.health_stratum,
        coalesce(activity_in_window.activities, 0) as activities,
        paying.period_end
    from paying
    inner join accounts
        on paying.account_id = accounts.account_id
    inner join first_revenue
        on paying.account_id = first_revenue.account_id
    left join activity_in_window
        on paying.account_id = activity_in_window.account_id
        and paying.snapshot_date = activity_in_window.snapshot_date
    left join health_strata
        on paying.account_id = health_strata.account_id
        and paying.snapshot_date = health_strata.snapshot_date
),

final as (
    select
        account_id,
        snapshot_date,
        coalesce(segment, 'unknown') as segment,
        tenure_months,
        case
            {%- for bound in bounds %}
                when tenure_months < {{ bound }} then '{{ "%02d" % (bounds[loop.index0 - 1] if not loop.first else 0) }}-{{ "%02d" % bound }}m'
            {%- endfor %}
            else '{{ "%02d" % bounds[-1] }}m+'
        end as tenure_band,
        health_score,
        coalesce(cast(health_stratum as {{ dbt.type_string() }}), 'unscored') as health_stratum,
        activities,
        activities > 0 as is_member,
        case
            when period_end is not null
                and period_end <= {{ dbt.dateadd('day', outcome_days, 'snapshot_date') }}
                then 1
            else 0
        end as is_churned,
        period_end as churn_date
    from joined
)

select * from final
