with

checked as (
    select * from {{ ref('base_raw__community_activity') }}
),

final as (
    select
        activity_id,
        account_id,
        user_id,
        occurred_at,
        activity_type
    from checked
    where rejection_reason is null
)

select * from final
