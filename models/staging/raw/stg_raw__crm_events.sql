with

checked as (
    select * from {{ ref('base_raw__crm_events') }}
),

final as (
    select
        crm_event_id,
        account_id,
        occurred_at,
        event_type,
        contact_role,
        details
    from checked
    where rejection_reason is null
)

select * from final
