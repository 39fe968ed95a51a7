{#-
    Intervention episodes with their levels over time (docs/definitions.md#interventions): one
    row per episode of int_intervention_episodes_bounded. Its level only rises: to the level the
    score reaches (reached_level_order of int_intervention_snapshots_stretched), or after the
    level's `escalate_after_days` without improvement (the score not above the score that many
    days earlier; 14 days early warning -> active save, 21 days active save -> executive), over
    the episode's snapshots (from the opening, before the close). With the current level, when
    it started, how many escalations came after the opening, and the episode's latest snapshot.

    A model of its own, not CTEs of fct_intervention_episodes, for the reason given in
    int_intervention_snapshots_stretched (Spark inlines every CTE where it is read).
-#}
with

bounded as (
    select * from {{ ref('int_intervention_episodes_bounded') }}
),

stretched as (
    select * from {{ ref('int_intervention_snapshots_stretched') }}
),

levels as (
    select * from {{ ref('intervention_levels') }}
),

episode_snapshots as (
    select
        bounded.account_id,
        bounded.opened_at,
        stretched.snapshot_date,
        stretched.composite_score,
        stretched.reached_level_order
    from bounded
    inner join stretched
        on bounded.account_id = stretched.account_id
        and stretched.snapshot_date >= bounded.opened_at
        and (bounded.closed_at is null or stretched.snapshot_date < bounded.closed_at)
),

unimproved as (
    -- snapshots whose score is not above the score escalate_after_days earlier, per level
    select
        episode_snapshots.account_id,
        episode_snapshots.opened_at,
        episode_snapshots.snapshot_date,
        levels.level_order as from_level_order,
        levels.escalate_after_days
    from episode_snapshots
    cross join levels
    inner join stretched as earlier
        on episode_snapshots.account_id = earlier.account_id
        and earlier.snapshot_date
        = {{ dbt.dateadd('day', '-levels.escalate_after_days', 'episode_snapshots.snapshot_date') }}
    where levels.escalate_after_days is not null
        and earlier.snapshot_date >= episode_snapshots.opened_at
        and episode_snapshots.composite_score <= earlier.composite_score
),

level_1_started as (
    select
        account_id,
        opened_at,
        opened_at as level_started_at
    from bounded
),

{#- The seed has three levels (a test says so); each starts at the opening when the episode
    opened at it or above, else at the first snapshot that reaches it by score, or that has
    stayed unimproved for the previous level's escalate_after_days since that level started. -#}
{%- for level_order in [2, 3] %}

    level_{{ level_order }}_reached as (
        select
            account_id,
            opened_at,
            min(snapshot_date) as reached_at
        from episode_snapshots
        where reached_level_order >= {{ level_order }}
        group by account_id, opened_at
    ),

    level_{{ level_order }}_escalated as (
        select
            unimproved.account_id,
            unimproved.opened_at,
            min(unimproved.snapshot_date) as escalated_at
        from unimproved
        inner join level_{{ level_order - 1 }}_started as previous
            on unimproved.account_id = previous.account_id
            and unimproved.opened_at = previous.opened_at
            and unimproved.snapshot_date
            >= {{ dbt.dateadd('day', 'unimproved.escalate_after_days', 'previous.level_started_at') }}
        where unimproved.from_level_order = {{ level_order - 1 }}
        group by unimproved.account_id, unimproved.opened_at
    ),

    level_{{ level_order }}_started as (
        select
            bounded.account_id,
            bounded.opened_at,
            case
                when bounded.opening_level_order >= {{ level_order }} then bounded.opened_at
                else least(
                        coalesce(by_score.reached_at, cast('9999-12-31' as date)),
                        coalesce(by_time.escalated_at, cast('9999-12-31' as date))
                    )
            end as level_started_at
        from bounded
        left join level_{{ level_order }}_reached as by_score
            on bounded.account_id = by_score.account_id
            and bounded.opened_at = by_score.opened_at
        left join level_{{ level_order }}_escalated as by_time
            on bounded.account_id = by_time.account_id
            and bounded.opened_at = by_time.opened_at
    ),
{%- endfor %}

escalated as (
    select
        bounded.*,
        nullif(level_2.level_started_at, cast('9999-12-31' as date)) as level_2_started_at,
        nullif(level_3.level_started_at, cast('9999-12-31' as date)) as level_3_started_at
    from bounded
    inner join level_2_started as level_2
        on bounded.account_id = level_2.account_id
        and bounded.opened_at = level_2.opened_at
    inner join level_3_started as level_3
        on bounded.account_id = level_3.account_id
        and bounded.opened_at = level_3.opened_at
),

latest_snapshots as (
    select
        account_id,
        opened_at,
        max(snapshot_date) as latest_snapshot_date
    from episode_snapshots
    group by account_id, opened_at
),

final as (
    select
        escalated.account_id,
        escalated.period_number,
        escalated.stretch_number,
        escalated.opened_at,
        escalated.opening_level_order,
        escalated.opened_score,
        escalated.opened_trend_base_score,
        escalated.opened_band,
        escalated.opened_red_renewal_date,
        escalated.arm,
        escalated.recovered_at,
        escalated.churned_at,
        escalated.closed_at,
        escalated.close_reason,
        latest_snapshots.latest_snapshot_date,
        case
            when escalated.level_3_started_at is not null then 3
            when escalated.level_2_started_at is not null then 2
            else 1
        end as current_level_order,
        case
            when escalated.level_3_started_at is not null then escalated.level_3_started_at
            when escalated.level_2_started_at is not null then escalated.level_2_started_at
            else escalated.opened_at
        end as current_level_started_at,
        case when escalated.level_2_started_at > escalated.opened_at then 1 else 0 end
        + case when escalated.level_3_started_at > escalated.opened_at then 1 else 0 end
            as escalation_count,
        case when escalated.level_2_started_at > escalated.opened_at
                then escalated.level_2_started_at
        end as escalated_to_active_save_at,
        case when escalated.level_3_started_at > escalated.opened_at
                then escalated.level_3_started_at
        end as escalated_to_executive_at
    from escalated
    left join latest_snapshots
        on escalated.account_id = latest_snapshots.account_id
        and escalated.opened_at = latest_snapshots.opened_at
)

select * from final
