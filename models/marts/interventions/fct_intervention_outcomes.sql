{#-
    Do the playbooks save accounts (docs/definitions.md#interventions)? By opening level and
    overall, the settled episodes (outcome read: 90 days past the opening, or churned) and the
    saved ones of each arm, the save rates, the uplift (treated minus holdout) with a Poisson
    bootstrap 95% percentile interval, the seed's target beside the treated save rate, and, in
    the treated arm, the save rate of episodes touched within the SLA against late or never.
    An arm (or SLA group) with fewer than `intervention_min_settled_episodes` settled episodes
    publishes its counts and no rate; without both arms there is no uplift (insufficient_data).
-#}
{%- set min_episodes = var('intervention_min_settled_episodes') -%}
{%- set replicates = var('intervention_bootstrap_replicates') -%}
with

episodes as (
    select * from {{ ref('fct_intervention_episodes') }}
),

levels as (
    select * from {{ ref('intervention_levels') }}
),

settled as (
    select
        episode_id,
        opening_level,
        arm,
        sla_met,
        case when outcome = 'saved' then 1 else 0 end as is_saved
    from episodes
    where is_settled
),

grouped as (
    -- every settled episode once in its opening level and once in `overall`
    select
        episode_id,
        opening_level as risk_level,
        arm,
        sla_met,
        is_saved
    from settled
    union all
    select
        episode_id,
        'overall' as risk_level,
        arm,
        sla_met,
        is_saved
    from settled
),

group_levels as (
    select
        level as risk_level,
        level_order,
        target_save_rate
    from levels
    union all
    select
        'overall' as risk_level,
        max(level_order) + 1 as level_order,
        null as target_save_rate
    from levels
),

counted as (
    select
        group_levels.risk_level,
        group_levels.level_order,
        group_levels.target_save_rate,
        count(case when grouped.arm = 'treated' then 1 end) as treated_episodes,
        count(case when grouped.arm = 'treated' and grouped.is_saved = 1 then 1 end)
            as treated_saved,
        count(case when grouped.arm = 'holdout' then 1 end) as holdout_episodes,
        count(case when grouped.arm = 'holdout' and grouped.is_saved = 1 then 1 end)
            as holdout_saved,
        count(case when grouped.arm = 'treated' and grouped.sla_met then 1 end)
            as on_time_episodes,
        count(case when grouped.arm = 'treated' and grouped.sla_met and grouped.is_saved = 1 then 1 end)
            as on_time_saved,
        count(case when grouped.arm = 'treated' and not grouped.sla_met then 1 end)
            as late_or_never_episodes,
        count(case
            when grouped.arm = 'treated' and not grouped.sla_met and grouped.is_saved = 1 then 1
        end) as late_or_never_saved
    from group_levels
    left join grouped
        on group_levels.risk_level = grouped.risk_level
    group by group_levels.risk_level, group_levels.level_order, group_levels.target_save_rate
),

overall_target as (
    -- overall: each level's target weighted by its treated settled episodes
    select
        coalesce(
            {{ safe_ratio('sum(counted.target_save_rate * counted.treated_episodes)',
                          'sum(counted.treated_episodes)') }},
            avg(counted.target_save_rate)
        ) as target_save_rate
    from counted
    where counted.risk_level <> 'overall'
),

replicate_numbers as (
    -- an integer: Spark's generate_series gives doubles, whose text ('1.0') would draw other
    -- replicates than on DuckDB ('1')
    select cast(generated_number as {{ dbt.type_int() }}) as replicate
    from ({{ dbt.generate_series(replicates) }}) as series
),

weights as (
    -- Poisson bootstrap: in replicate b, each episode counts Poisson(1) times, drawn from the
    -- hash of (b, episode id), so every run draws the same replicates
    select
        settled.episode_id,
        replicate_numbers.replicate,
        {{ poisson_one_draw(hash_uniform(dbt.concat([
            "cast(replicate_numbers.replicate as " ~ dbt.type_string() ~ ")",
            "'|'", "settled.episode_id"]))) }} as weight
    from settled
    cross join replicate_numbers
),

replicate_rates as (
    select
        grouped.risk_level,
        weights.replicate,
        {{ safe_ratio('sum(case when grouped.arm = \'treated\' then weights.weight * grouped.is_saved end)',
                      'sum(case when grouped.arm = \'treated\' then weights.weight end)') }}
            as treated_rate,
        {{ safe_ratio('sum(case when grouped.arm = \'holdout\' then weights.weight * grouped.is_saved end)',
                      'sum(case when grouped.arm = \'holdout\' then weights.weight end)') }}
            as holdout_rate
    from grouped
    inner join weights
        on grouped.episode_id = weights.episode_id
    group by grouped.risk_level, weights.replicate
),

intervals as (
    select
        risk_level,
        count(treated_rate - holdout_rate) as bootstrap_replicates,
        {{ percentile_of('treated_rate - holdout_rate', 0.025) }} as uplift_ci_low,
        {{ percentile_of('treated_rate - holdout_rate', 0.975) }} as uplift_ci_high
    from replicate_rates
    group by risk_level
),

rated as (
    select
        counted.*,
        coalesce(counted.target_save_rate, overall_target.target_save_rate) as target_rate,
        counted.treated_episodes >= {{ min_episodes }} as has_enough_treated,
        counted.holdout_episodes >= {{ min_episodes }} as has_enough_holdout,
        case when counted.treated_episodes >= {{ min_episodes }}
                then {{ safe_ratio('counted.treated_saved', 'counted.treated_episodes') }}
        end as treated_save_rate,
        case when counted.holdout_episodes >= {{ min_episodes }}
                then {{ safe_ratio('counted.holdout_saved', 'counted.holdout_episodes') }}
        end as holdout_save_rate,
        case when counted.on_time_episodes >= {{ min_episodes }}
                then {{ safe_ratio('counted.on_time_saved', 'counted.on_time_episodes') }}
        end as on_time_save_rate,
        case when counted.late_or_never_episodes >= {{ min_episodes }}
                then {{ safe_ratio('counted.late_or_never_saved', 'counted.late_or_never_episodes') }}
        end as late_or_never_save_rate
    from counted
    cross join overall_target
),

final as (
    select
        rated.risk_level,
        rated.level_order,
        case
            when rated.has_enough_treated and rated.has_enough_holdout then 'ok'
            else 'insufficient_data'
        end as status,
        case
            when not rated.has_enough_treated and not rated.has_enough_holdout
                then 'fewer than {{ min_episodes }} settled episodes in both arms'
            when not rated.has_enough_treated
                then 'fewer than {{ min_episodes }} settled treated episodes'
            when not rated.has_enough_holdout
                then 'fewer than {{ min_episodes }} settled holdout episodes'
        end as status_reason,
        rated.treated_episodes,
        rated.treated_saved,
        rated.treated_save_rate,
        cast(rated.target_rate as {{ ratio_type() }}) as target_save_rate,
        case
            when rated.treated_save_rate is not null
                then rated.treated_save_rate >= rated.target_rate
        end as meets_target,
        rated.holdout_episodes,
        rated.holdout_saved,
        rated.holdout_save_rate,
        cast(case when rated.has_enough_treated and rated.has_enough_holdout
                then rated.treated_save_rate - rated.holdout_save_rate
        end as {{ ratio_type() }})
            as uplift,
        cast(case when rated.has_enough_treated and rated.has_enough_holdout
                then intervals.uplift_ci_low
        end as {{ ratio_type() }}) as uplift_ci_low,
        cast(case when rated.has_enough_treated and rated.has_enough_holdout
                then intervals.uplift_ci_high
        end as {{ ratio_type() }}) as uplift_ci_high,
        case when rated.has_enough_treated and rated.has_enough_holdout
                then intervals.bootstrap_replicates
        end as bootstrap_replicates,
        rated.on_time_episodes,
        rated.on_time_saved,
        rated.on_time_save_rate,
        rated.late_or_never_episodes,
        rated.late_or_never_saved,
        rated.late_or_never_save_rate,
        cast(rated.on_time_save_rate - rated.late_or_never_save_rate as {{ ratio_type() }})
            as on_time_minus_late_save_rate
    from rated
    left join intervals
        on rated.risk_level = intervals.risk_level
)

select * from final
