-- The contract in front of the Python model py_health_backtest_deciles (Python models carry none themselves).
with

calibrated as (
    select * from {{ ref('py_health_backtest_deciles') }}
),

final as (
    select
        cast(score_name as varchar) as score_name,
        cast(decile as integer) as decile,
        cast(n as bigint) as n,
        cast(n_churned as bigint) as n_churned,
        cast(mean_predicted as {{ double_type() }}) as mean_predicted,
        cast(observed_rate as {{ double_type() }}) as observed_rate,
        cast(min_predicted as {{ double_type() }}) as min_predicted,
        cast(max_predicted as {{ double_type() }}) as max_predicted
    from calibrated
)

select * from final
