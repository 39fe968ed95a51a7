-- The contract in front of the Python model py_logo_survival (Python models carry none themselves).
with

calibrated as (
    select * from {{ ref('py_logo_survival') }}
),

final as (
    select
        cast(dimension_name as varchar) as dimension_name,
        cast(dimension_value as varchar) as dimension_value,
        cast(time as {{ double_type() }}) as days_since_first_revenue,
        cast(at_risk as bigint) as at_risk,
        cast(events as bigint) as events,
        cast(censored as bigint) as censored,
        cast(survival as {{ double_type() }}) as survival,
        cast(status as varchar) as status,
        cast(status_reason as varchar) as status_reason
    from calibrated
)

select * from final
