with

checked as (
    select * from {{ ref('base_raw__usage_events') }}
),

final as (
    select
        event_id,
        account_id,
        user_id,
        occurred_at,
        feature,
        session_id
    from checked
    where rejection_reason is null
)

select * from final
