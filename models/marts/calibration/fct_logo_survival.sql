-- The contract in front of the Python model py_logo_survival (Python models carry none themselves).
with

calibrated as (
    select * from {{ ref('py_logo_survival') }}
),

final as (
    select
        cast(dimension_name as {{ dbt.type_string() }}) as dimension_name,
        cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,
        cast(time as {{ double_type() }}) as days_since_first_revenue,
        cast(at_risk as bigint) as at_risk,
        cast(events as bigint) as events,
        cast(censored as bigint) as censored,
        cast(survival as {{ double_type() }}) as survival,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(status_reason as {{ dbt.type_string() }}) as status_reason
    from calibrated
)

select * from final
