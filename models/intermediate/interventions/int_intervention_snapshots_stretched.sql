{#-
    The weekly intervention snapshots (int_intervention_snapshots_leveled) with what the
    episodes of fct_intervention_episodes are cut from (docs/definitions.md#interventions): the
    renewal rated red within the red level's `red_renewal_within_days`
    (int_renewal_checkpoints_rated, published as health.fct_renewal_risk), the level the
    snapshot enters and the level it reaches (executive escalation on a red renewal), and its
    stretch (the snapshots of one paid period between two recoveries).

    A model of its own, not CTEs of the mart: the episode models read these rows in a dozen
    places, and Spark inlines every CTE where it is read, so as CTEs the mart's plan grew until
    the Spark driver ran out of memory analysing it.
-#}
with

snapshots as (
    select * from {{ ref('int_intervention_snapshots_leveled') }}
),

renewal_risk as (
    select * from {{ ref('int_renewal_checkpoints_rated') }}
),

levels as (
    select * from {{ ref('intervention_levels') }}
),

red_level as (
    select
        level_order,
        red_renewal_within_days
    from levels
    where red_renewal_within_days is not null
),

renewal_checkpoints_seen as (
    -- each renewal coming within red_renewal_within_days of a snapshot, with its latest
    -- checkpoint reached by then
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        renewal_risk.renewal_date,
        max(renewal_risk.checkpoint_date) as checkpoint_date
    from snapshots
    cross join red_level
    inner join renewal_risk
        on snapshots.account_id = renewal_risk.account_id
        and renewal_risk.checkpoint_date <= snapshots.snapshot_date
        and renewal_risk.renewal_date > snapshots.snapshot_date
        and renewal_risk.renewal_date
        <= {{ dbt.dateadd('day', 'red_level.red_renewal_within_days', 'snapshots.snapshot_date') }}
    group by snapshots.account_id, snapshots.snapshot_date, renewal_risk.renewal_date
),

red_renewals as (
    select
        seen.account_id,
        seen.snapshot_date,
        min(seen.renewal_date) as red_renewal_date
    from renewal_checkpoints_seen as seen
    inner join renewal_risk
        on seen.account_id = renewal_risk.account_id
        and seen.renewal_date = renewal_risk.renewal_date
        and seen.checkpoint_date = renewal_risk.checkpoint_date
    where renewal_risk.risk_rating = 'red'
    group by seen.account_id, seen.snapshot_date
),

leveled as (
    select
        snapshots.*,
        red_renewals.red_renewal_date,
        case
            when red_renewals.red_renewal_date is not null then red_level.level_order
            else snapshots.score_entry_level_order
        end as entry_level_order,
        case
            when red_renewals.red_renewal_date is not null then red_level.level_order
            else snapshots.band_level_order
        end as reached_level_order
    from snapshots
    cross join red_level
    left join red_renewals
        on snapshots.account_id = red_renewals.account_id
        and snapshots.snapshot_date = red_renewals.snapshot_date
),

stretched as (
    -- a stretch: the snapshots of one paid period between two recoveries; an episode is
    -- the part of a stretch from its first entry into a level
    select
        leveled.*,
        sum(case when leveled.is_recovered then 1 else 0 end) over (
            partition by leveled.account_id, leveled.period_number
            order by leveled.snapshot_date
            rows between unbounded preceding and current row
        ) as stretch_number
    from leveled
),

final as (
    select
        stretched.account_id,
        stretched.snapshot_date,
        stretched.period_number,
        stretched.composite_score,
        stretched.band,
        stretched.trend_base_score,
        stretched.is_trending_down,
        stretched.is_healthy,
        stretched.is_recovered,
        stretched.band_level_order,
        stretched.score_entry_level_order,
        stretched.arm,
        stretched.arr,
        stretched.segment,
        stretched.csm_owner,
        stretched.red_renewal_date,
        stretched.entry_level_order,
        stretched.reached_level_order,
        stretched.stretch_number
    from stretched
)

select * from final
