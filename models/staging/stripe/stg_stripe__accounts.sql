{#-
    Stripe customers as the raw contract's accounts (docs/map_your_exports.md#stripe-fivetran):
    one account per customer, deleted customers included (their past ARR is history). Stripe
    has no segment or firmographics: segment is `unknown`, the rest null. Values are passed on
    as they are; the contract check (base_raw__accounts) casts and quarantines.
-#}
with

customers as (
    select * from {{ source('stripe', 'customer') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as account_id,
        cast(name as {{ dbt.type_string() }}) as account_name,
        created as created_at,
        cast('unknown' as {{ dbt.type_string() }}) as segment,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as {{ dbt.type_string() }}) as region,
        cast(null as {{ dbt.type_bigint() }}) as employee_count,
        cast(null as {{ dbt.type_bigint() }}) as icp_tier,
        cast(null as {{ dbt.type_string() }}) as acquisition_channel,
        cast(null as {{ dbt.type_string() }}) as use_case,
        cast(null as {{ dbt.type_string() }}) as csm_owner
    from customers
)

select * from final
