with

checked as (
    select * from {{ ref('base_raw__churn_surveys') }}
),

final as (
    select
        survey_id,
        account_id,
        submitted_at,
        reason_category,
        competitor_name,
        comment
    from checked
    where rejection_reason is null
)

select * from final
