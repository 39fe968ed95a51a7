{#-
    When each observed account reached each milestone of seed onboarding_milestones
    (docs/definitions.md#onboarding), at any time after its creation up to the data's end.
    Every rule counts occurrences from creation on, in time order, and the milestone is reached
    at the occurrence that brings the count to rule_threshold:
      feature_events          events of the listed features (the usage aggregate by account,
                              feature and day: the time is the day's first event of the
                              feature, exact for a threshold of 1)
      active_days             distinct days with any usage, at the day's first event
      active_users            distinct users with a session, at each user's first event
      integrations_connected  integrations connected (listed names, or any)
      crm_events              CRM events of the listed types
    Reads the usage aggregates, never the raw events.
-#}
with

accounts as (
    select * from {{ ref('int_onboarding_accounts_pathed') }}
),

milestones as (
    select * from {{ ref('onboarding_milestones') }}
),

feature_days as (
    select * from {{ ref('int_usage_account_feature_days_aggregated') }}
),

sessions as (
    select * from {{ ref('int_usage_sessions_aggregated') }}
),

integrations as (
    select * from {{ ref('stg_raw__integrations') }}
),

crm_events as (
    select * from {{ ref('stg_raw__crm_events') }}
),

feature_occurrences as (
    select
        account_id,
        'feature_events' as rule_type,
        feature as rule_value,
        first_event_at as occurred_at,
        events as units
    from feature_days
),

active_day_occurrences as (
    -- a day counts from its first event after the account's creation
    select
        feature_days.account_id,
        'active_days' as rule_type,
        cast(null as {{ dbt.type_string() }}) as rule_value,
        min(feature_days.first_event_at) as occurred_at,
        1 as units
    from feature_days
    inner join accounts
        on feature_days.account_id = accounts.account_id
    where feature_days.first_event_at >= accounts.created_at
    group by feature_days.account_id, feature_days.usage_date
),

active_user_occurrences as (
    select
        sessions.account_id,
        'active_users' as rule_type,
        cast(null as {{ dbt.type_string() }}) as rule_value,
        min(sessions.first_event_at) as occurred_at,
        1 as units
    from sessions
    inner join accounts
        on sessions.account_id = accounts.account_id
    where sessions.user_id is not null and sessions.first_event_at >= accounts.created_at
    group by sessions.account_id, sessions.user_id
),

integration_occurrences as (
    select
        account_id,
        'integrations_connected' as rule_type,
        integration_name as rule_value,
        connected_at as occurred_at,
        1 as units
    from integrations
),

crm_occurrences as (
    select
        account_id,
        'crm_events' as rule_type,
        event_type as rule_value,
        occurred_at,
        1 as units
    from crm_events
),

occurrences as (
    select * from feature_occurrences
    union all
    select * from active_day_occurrences
    union all
    select * from active_user_occurrences
    union all
    select * from integration_occurrences
    union all
    select * from crm_occurrences
),

matched as (
    -- the occurrences of each milestone's rule, from the account's creation to the data's end
    select
        accounts.account_id,
        milestones.milestone,
        milestones.rule_threshold,
        occurrences.occurred_at,
        occurrences.units
    from occurrences
    inner join accounts
        on occurrences.account_id = accounts.account_id
    inner join milestones
        on
        occurrences.rule_type = milestones.rule_type
        and (
            milestones.rule_values is null
            or {{ dbt.concat(["';'", "milestones.rule_values", "';'"]) }}
            like {{ dbt.concat(["'%;'", "occurrences.rule_value", "';%'"]) }}
        )
    where
        occurrences.occurred_at >= accounts.created_at
        and occurrences.occurred_at < accounts.data_end_at
),

counted as (
    select
        account_id,
        milestone,
        rule_threshold,
        occurred_at,
        sum(units) over (
            partition by account_id, milestone
            order by occurred_at
            rows between unbounded preceding and current row
        ) as cumulative_units
    from matched
),

reached as (
    select
        account_id,
        milestone,
        min(occurred_at) as reached_at
    from counted
    where cumulative_units >= rule_threshold
    group by account_id, milestone
),

final as (
    select
        accounts.account_id,
        accounts.created_at,
        accounts.signup_month,
        accounts.segment,
        accounts.path,
        accounts.data_end_at,
        accounts.hours_observed,
        milestones.milestone,
        milestones.milestone_order,
        milestones.milestone_name,
        milestones.window_hours,
        milestones.target_share,
        reached.reached_at,
        {{ dbt.datediff('accounts.created_at', 'reached.reached_at', 'second') }} / 3600.0
            as hours_to_reach
    from accounts
    cross join milestones
    left join reached
        on accounts.account_id = reached.account_id and milestones.milestone = reached.milestone
)

select * from final
