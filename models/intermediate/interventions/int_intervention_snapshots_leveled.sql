{#-
    The weekly health snapshots the intervention playbooks read (docs/definitions.md#interventions):
    one row per paying account and Monday, with the score, the score `intervention_trend_days`
    earlier, the playbook level the score alone points to, whether the account is healthy (above
    every level's band) and back to healthy under the alerts' hysteresis, the paid period (a churn ends it) and the account's arm (holdout or
    treated, from the hash of its id). The as_of_date snapshot is left out unless it is a Monday:
    the lookbacks of the escalation rule step in whole weeks. A red renewal, the other way into
    executive escalation, is added by int_intervention_snapshots_stretched.
-#}
with

health as (
    select * from {{ ref('int_account_health_scored') }}
),

periods as (
    select * from {{ ref('int_account_paid_periods_islanded') }}
),

bands as (
    select * from {{ ref('health_bands') }}
),

levels as (
    select * from {{ ref('intervention_levels') }}
),

level_bands as (
    select
        levels.level,
        levels.level_order,
        levels.needs_downtrend,
        bands.lower_score,
        bands.upper_score
    from levels
    inner join bands
        on levels.health_band = bands.band
),

healthy_threshold as (
    -- healthy: a score above the band of every level (70 with the seeds)
    select max(upper_score) as healthy_from_score
    from level_bands
),

weekly as (
    -- Mondays only: 1970-01-05 was a Monday
    select
        account_id,
        snapshot_date,
        composite_score,
        band,
        arr,
        segment,
        csm_owner
    from health
    where mod({{ dbt.datediff("cast('1970-01-05' as date)", 'snapshot_date', 'day') }}, 7) = 0
),

trended as (
    select
        weekly.*,
        earlier.composite_score as trend_base_score
    from weekly
    left join weekly as earlier
        on weekly.account_id = earlier.account_id
        and earlier.snapshot_date
        = {{ dbt.dateadd('day', -var('intervention_trend_days'), 'weekly.snapshot_date') }}
),

banded as (
    select
        trended.*,
        level_bands.level_order as band_level_order,
        level_bands.needs_downtrend,
        coalesce(trended.composite_score >= healthy_threshold.healthy_from_score, false)
            as is_healthy,
        coalesce(trended.composite_score < trended.trend_base_score, false) as is_trending_down
    from trended
    cross join healthy_threshold
    left join level_bands
        on trended.composite_score >= level_bands.lower_score
        and trended.composite_score < level_bands.upper_score
),

recovery_held as (
    -- back to healthy under the health alerts' hysteresis (docs/definitions.md#health-alerts):
    -- healthy on two consecutive Mondays, or at once when the score is more than
    -- health_alert_band_margin_points above the healthy threshold; a one-week bounce over 70
    -- neither closes an episode nor counts as saved
    select
        banded.*,
        banded.is_healthy and (
            banded.composite_score
            > healthy_threshold.healthy_from_score + {{ var('health_alert_band_margin_points') }}
            or coalesce(previous.is_healthy, false)
        ) as is_recovered
    from banded
    cross join healthy_threshold
    left join banded as previous
        on banded.account_id = previous.account_id
        and previous.snapshot_date = {{ dbt.dateadd('day', -7, 'banded.snapshot_date') }}
),

final as (
    select
        banded.account_id,
        banded.snapshot_date,
        periods.period_number,
        banded.composite_score,
        banded.band,
        banded.trend_base_score,
        banded.is_trending_down,
        banded.is_healthy,
        banded.is_recovered,
        banded.band_level_order,
        case
            when not banded.needs_downtrend or banded.is_trending_down
                then banded.band_level_order
        end as score_entry_level_order,
        case
            when {{ holdout_bucket('banded.account_id') }} < {{ var('intervention_holdout_share') }}
                then 'holdout'
            else 'treated'
        end as arm,
        banded.arr,
        banded.segment,
        banded.csm_owner
    from recovery_held as banded
    -- left: a snapshot outside a paid period (ARR from lines the islands leave out) is kept
    left join periods
        on banded.account_id = periods.account_id
        and banded.snapshot_date >= periods.period_start
        and (periods.period_end is null or banded.snapshot_date < periods.period_end)
)

select * from final
