with

checked as (
    select * from {{ ref('base_raw__users') }}
),

final as (
    select
        user_id,
        account_id,
        role,
        is_licensed,
        created_at,
        deactivated_at
    from checked
    where rejection_reason is null
)

select * from final
