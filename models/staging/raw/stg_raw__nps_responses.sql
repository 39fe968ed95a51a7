with

checked as (
    select * from {{ ref('base_raw__nps_responses') }}
),

final as (
    select
        response_id,
        account_id,
        user_id,
        responded_at,
        score,
        comment
    from checked
    where rejection_reason is null
)

select * from final
