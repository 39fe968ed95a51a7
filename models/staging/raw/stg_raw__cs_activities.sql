with

checked as (
    select * from {{ ref('base_raw__cs_activities') }}
),

final as (
    select
        activity_id,
        account_id,
        occurred_at,
        activity_type,
        owner,
        notes
    from checked
    where rejection_reason is null
)

select * from final
