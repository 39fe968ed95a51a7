{#-
    The Kaplan-Meier time-to-return curves of int_winback_returns_survived, published with a
    contract (docs/definitions.md#win-back): by churn reason and for all churns, one row per day
    since churn on which a return or a censoring happened.
-#}
with

curves as (
    select * from {{ ref('int_winback_returns_survived') }}
),

final as (
    select
        churn_reason,
        days_since_churn,
        churns,
        at_risk,
        returns,
        censored,
        cumulative_returns,
        reactivated_share,
        reactivated_share_lower,
        reactivated_share_upper
    from curves
)

select * from final
