with

checked as (
    select * from {{ ref('base_raw__fx_rates') }}
),

final as (
    select
        currency,
        rate_to_usd
    from checked
    where rejection_reason is null
)

select * from final
