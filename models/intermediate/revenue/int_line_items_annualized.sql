{#-
    ARR of each recurring line item in USD, before any snapshot
    (docs/definitions.md#line-item-arr). One-time and usage lines are not ARR.
-#}
with

line_items as (
    select * from {{ ref('stg_raw__subscription_line_items') }}
),

fx_rates as (
    select * from {{ ref('stg_raw__fx_rates') }}
),

recurring as (
    select * from line_items
    where line_type = 'recurring'
),

converted as (
    select
        recurring.*,
        -- staging rejects lines whose currency has no rate, so a missing rate here means USD
        cast(coalesce(fx_rates.rate_to_usd, 1) as {{ double_type() }}) as rate_to_usd
    from recurring
    left join fx_rates
        on recurring.currency = fx_rates.currency
),

final as (
    select
        line_item_id,
        account_id,
        product,
        plan,
        currency,
        interval_months,
        quantity,
        unit_price,
        discount_pct,
        rate_to_usd,
        cast(quantity as {{ double_type() }})
        * cast(unit_price as {{ double_type() }})
        * (1 - cast(discount_pct as {{ double_type() }}))
        * 12 / interval_months
        * rate_to_usd as arr_usd,
        start_date,
        end_date
    from converted
)

select * from final
