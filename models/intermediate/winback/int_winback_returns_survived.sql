{#-
    Kaplan-Meier time-to-return curves by churn reason, and for all churns (churn_reason
    `all`), over the winback_horizon_days (366) after each churn (docs/definitions.md#win-back). A
    churn is followed from its churn date; an event is its return (the account's ARR above zero
    again) within the horizon; it is censored at as_of_date or at the horizon, whichever comes
    first. One row per reason and day on which a return or a censoring happened:
    S(t) = prod(1 - d/n) as exp(sum(ln(1 - d/n))), zero from the first step where every account
    at risk returned; reactivated_share = 1 - S(t). The Greenwood sum sum(d / (n (n - d))) gives
    the 95% interval on the log(-log) scale.
-#}
{%- set horizon_days = var('winback_horizon_days') -%}

with

churns as (
    select * from {{ ref('int_account_churns_reasoned') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

followed as (
    select
        churns.churn_reason,
        churns.churn_date,
        churns.returned_on,
        as_of.as_of_date,
        cast({{ dbt.dateadd('day', horizon_days, 'churns.churn_date') }} as date)
            as horizon_date
    from churns
    cross join as_of
),

observed as (
    select
        churn_reason,
        case
            when returned_on is not null and returned_on <= horizon_date then 1 else 0
        end as is_return,
        case
            when returned_on is not null and returned_on <= horizon_date
                then {{ dbt.datediff('churn_date', 'returned_on', 'day') }}
            when horizon_date < as_of_date
                then {{ dbt.datediff('churn_date', 'horizon_date', 'day') }}
            else {{ dbt.datediff('churn_date', 'as_of_date', 'day') }}
        end as days_followed
    from followed
),

by_reason as (
    select
        churn_reason,
        is_return,
        days_followed
    from observed
    union all
    select
        'all' as churn_reason,
        is_return,
        days_followed
    from observed
),

steps as (
    select
        churn_reason,
        days_followed as days_since_churn,
        sum(is_return) as returns,
        count(*) - sum(is_return) as censored
    from by_reason
    group by churn_reason, days_followed
),

at_risk as (
    select
        *,
        sum(returns + censored) over (
            partition by churn_reason
            order by days_since_churn desc
            rows between unbounded preceding and current row
        ) as at_risk
    from steps
),

terms as (
    select
        *,
        case when returns = at_risk then 1 else 0 end as is_exhausting,
        case
            when returns < at_risk then ln(1.0 - 1.0 * returns / at_risk)
            else 0
        end as log_survival_term,
        case
            when returns < at_risk then 1.0 * returns / (1.0 * at_risk * (at_risk - returns))
            else 0
        end as greenwood_term
    from at_risk
),

cumulated as (
    select
        *,
        max(is_exhausting) over (
            partition by churn_reason order by days_since_churn
            rows between unbounded preceding and current row
        ) as is_exhausted,
        sum(log_survival_term) over (
            partition by churn_reason order by days_since_churn
            rows between unbounded preceding and current row
        ) as log_survival,
        sum(greenwood_term) over (
            partition by churn_reason order by days_since_churn
            rows between unbounded preceding and current row
        ) as greenwood_sum,
        sum(returns) over (
            partition by churn_reason order by days_since_churn
            rows between unbounded preceding and current row
        ) as cumulative_returns,
        max(at_risk) over (partition by churn_reason) as churns
    from terms
),

survival as (
    select
        *,
        case when is_exhausted = 1 then 0.0 else exp(log_survival) end as survival,
        -- standard error of log(-log S): sqrt(greenwood) / |log S|; undefined at S = 1 or 0
        case
            when is_exhausted = 0 and log_survival < 0
                then sqrt(greenwood_sum) / (-log_survival)
        end as loglog_se
    from cumulated
),

final as (
    select
        churn_reason,
        cast(days_since_churn as {{ dbt.type_bigint() }}) as days_since_churn,
        cast(churns as {{ dbt.type_bigint() }}) as churns,
        cast(at_risk as {{ dbt.type_bigint() }}) as at_risk,
        cast(returns as {{ dbt.type_bigint() }}) as returns,
        cast(censored as {{ dbt.type_bigint() }}) as censored,
        cast(cumulative_returns as {{ dbt.type_bigint() }}) as cumulative_returns,
        -- shares rounded to 6 places: no float noise in what is published
        {{ round_half('1 - survival', 6) }} as reactivated_share,
        -- no return yet: from 0 to the exact (Clopper-Pearson) upper bound of 0 in `churns`
        {{ round_half(
            'case
                when cumulative_returns = 0 then 0
                when loglog_se is not null then 1 - power(survival, exp(-1.96 * loglog_se))
                when is_exhausted = 1 then 1
            end', 6) }} as reactivated_share_lower,
        {{ round_half(
            'case
                when cumulative_returns = 0 then 1 - power(0.025, 1.0 / churns)
                when loglog_se is not null then 1 - power(survival, exp(1.96 * loglog_se))
                when is_exhausted = 1 then 1
            end', 6) }} as reactivated_share_upper
    from survival
)

select * from final
