-- The contract in front of the Python model py_churn_signal_lift (Python models carry none themselves).
with

calibrated as (
    select * from {{ ref('py_churn_signal_lift') }}
),

final as (
    select
        cast(signal as {{ dbt.type_string() }}) as signal,
        cast(rule as {{ dbt.type_string() }}) as rule,
        cast(n_rows as bigint) as n_rows,
        cast(n_flagged as bigint) as n_flagged,
        cast(n_flagged_churned as bigint) as n_flagged_churned,
        cast(flagged_accounts as bigint) as flagged_accounts,
        cast(unflagged_accounts as bigint) as unflagged_accounts,
        cast(churn_rate_flagged as {{ double_type() }}) as churn_rate_flagged,
        cast(churn_rate_unflagged as {{ double_type() }}) as churn_rate_unflagged,
        cast(lift as {{ double_type() }}) as lift,
        cast(churn_events as bigint) as churn_events,
        cast(churn_events_flagged as bigint) as churn_events_flagged,
        cast(share_of_churn_events_flagged as {{ double_type() }}) as share_of_churn_events_flagged,
        cast(median_lead_days as {{ double_type() }}) as median_lead_days,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(status_reason as {{ dbt.type_string() }}) as status_reason
    from calibrated
)

select * from final
