{#-
    Each CRM event with what its type means (seed `crm_event_types`,
    docs/definitions.md#crm-event-types): the one place that maps an event type to a health
    signal, a renewal red flag, an expansion trigger or a win-back signal. Every model that
    reads CRM events for a meaning reads this model, never its own list of types. An event type
    the seed does not know keeps its row with a null meaning, and a not_null test on `meaning`
    fails the build: never a silent drop.
-#}
with

crm_events as (
    select * from {{ ref('stg_raw__crm_events') }}
),

event_types as (
    select * from {{ ref('crm_event_types') }}
),

final as (
    select
        crm_events.crm_event_id,
        crm_events.account_id,
        crm_events.occurred_at,
        crm_events.event_type,
        event_types.meaning,
        event_types.expansion_trigger_type,
        event_types.winback_signal_name,
        cast(crm_events.occurred_at as date) as occurred_on,
        coalesce(event_types.is_expansion_conversation, false) as is_expansion_conversation,
        coalesce(event_types.is_competitor_signal, false) as is_competitor_signal,
        coalesce(event_types.is_champion_departure, false) as is_champion_departure,
        coalesce(event_types.is_new_executive, false) as is_new_executive,
        coalesce(event_types.is_executive_touch, false) as is_executive_touch
    from crm_events
    left join event_types
        on crm_events.event_type = event_types.event_type
)

select * from final
