with

checked as (
    select * from {{ ref('base_raw__accounts') }}
),

final as (
    select
        account_id,
        account_name,
        created_at,
        segment,
        industry,
        region,
        employee_count,
        icp_tier,
        acquisition_channel,
        use_case,
        csm_owner
    from checked
    where rejection_reason is null
)

select * from final
