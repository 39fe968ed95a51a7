with

checked as (
    select * from {{ ref('base_raw__integrations') }}
),

final as (
    select
        account_id,
        integration_name,
        connected_at,
        disconnected_at
    from checked
    where rejection_reason is null
)

select * from final
