with

checked as (
    select * from {{ ref('base_raw__support_tickets') }}
),

final as (
    select
        ticket_id,
        account_id,
        user_id,
        created_at,
        resolved_at,
        priority,
        subject,
        body,
        csat_score
    from checked
    where rejection_reason is null
)

select * from final
