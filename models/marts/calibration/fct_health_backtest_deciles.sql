-- The 'decile' section of the Python model py_health_backtest, under a contract.
with

calibrated as (
    select * from {{ ref('py_health_backtest') }}
),

final as (
    select
        cast(score_name as {{ dbt.type_string() }}) as score_name,
        cast(decile as integer) as decile,
        cast(n as bigint) as n,
        cast(n_churned as bigint) as n_churned,
        cast(mean_predicted as {{ double_type() }}) as mean_predicted,
        cast(observed_rate as {{ double_type() }}) as observed_rate,
        cast(min_predicted as {{ double_type() }}) as min_predicted,
        cast(max_predicted as {{ double_type() }}) as max_predicted,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(status_reason as {{ dbt.type_string() }}) as status_reason
    from calibrated
    where section = 'decile'
)

select * from final
