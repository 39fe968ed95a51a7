-- The 'summary' section of the Python model py_health_backtest, under a contract.
with

calibrated as (
    select * from {{ ref('py_health_backtest') }}
),

final as (
    select
        cast(score_name as {{ dbt.type_string() }}) as score_name,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(value as {{ double_type() }}) as value,
        cast(target as {{ double_type() }}) as target,
        cast(meets_target as boolean) as meets_target,
        cast(threshold as {{ double_type() }}) as threshold,
        cast(lead_days as integer) as lead_days,
        cast(test_period_start as date) as test_period_start,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(status_reason as {{ dbt.type_string() }}) as status_reason
    from calibrated
    where section = 'summary'
)

select * from final
