with

checked as (
    select * from {{ ref('base_raw__feedback_items') }}
),

final as (
    select
        feedback_id,
        account_id,
        source,
        created_at,
        body,
        rating
    from checked
    where rejection_reason is null
)

select * from final
