{#-
    The three band targets of docs/definitions.md#band-performance, one row each, with the
    measured figure, the target and whether it is met:
    flagged_churned_arr_share (share of churned ARR flagged 30-90 days before its churn, at
    least `health_band_target_min_flagged_churned_arr_share`), median_week_flagged_account_share
    (share of paying accounts at risk or worse in a median week, at most
    `health_band_target_max_flagged_account_share`) and churn_rate_rising_pairs (of the adjacent
    scored bands from thriving to churning, how many have a higher churn rate than the band
    above; met when all do).
-#}
with

bands as (
    select * from {{ ref('health_bands') }}
),

weeks as (
    select * from {{ ref('int_health_band_weeks_counted') }}
),

churn_events as (
    select * from {{ ref('int_health_churn_events_flagged') }}
),

performance as (
    select * from {{ ref('fct_health_band_performance') }}
),

flag_band as (
    select band_order as flag_band_order
    from bands
    where band = '{{ var("health_flag_band") }}'
),

flagged_arr as (
    select
        {{ safe_ratio('sum(case when is_flagged then churned_arr else 0 end)', 'sum(churned_arr)') }}
            as measured_value,
        'ARR ' || cast(coalesce(sum(case when is_flagged then churned_arr else 0 end), 0) as {{ dbt.type_string() }})
        || ' of ' || cast(coalesce(sum(churned_arr), 0) as {{ dbt.type_string() }})
        || ' churned; ' || cast(sum(case when is_flagged then 1 else 0 end) as {{ dbt.type_string() }})
        || ' of ' || cast(count(*) as {{ dbt.type_string() }}) || ' churn events flagged'
            as basis
    from churn_events
),

weekly_flagged as (
    select
        weeks.snapshot_date,
        1.0 * sum(case when bands.band_order <= flag_band.flag_band_order then weeks.accounts_in_band else 0 end)
        / max(weeks.paying_accounts) as flagged_account_share
    from weeks
    inner join bands
        on weeks.band = bands.band
    cross join flag_band
    group by weeks.snapshot_date
),

flagged_accounts as (
    select
        cast({{ median_of('flagged_account_share') }} as {{ double_type() }}) as measured_value,
        cast(count(*) as {{ dbt.type_string() }}) || ' weekly snapshots' as basis
    from weekly_flagged
),

scored_bands as (
    select
        band,
        band_order,
        churn_rate,
        lead(churn_rate) over (order by band_order desc) as next_worse_churn_rate,
        lead(band_order) over (order by band_order desc) as next_worse_band_order
    from performance
    where band_order is not null
),

rising as (
    select
        sum(case when next_worse_churn_rate > churn_rate then 1 else 0 end) as rising_pairs,
        sum(case when next_worse_band_order is not null then 1 else 0 end) as band_pairs
    from scored_bands
),

rate_chain as (
    -- the rates from thriving to churning, readable in one line
    select
        {{ dbt.listagg(
            "band || ' ' || coalesce(cast(churn_rate as " ~ dbt.type_string() ~ "), 'n/a')",
            "', '",
            "order by band_order desc") }} as basis
    from scored_bands
),

targets as (
    select
        'flagged_churned_arr_share' as target_name,
        cast(flagged_arr.measured_value as {{ double_type() }}) as measured_value,
        cast({{ var('health_band_target_min_flagged_churned_arr_share') }} as {{ double_type() }})
            as target_value,
        'at_least' as target_rule,
        flagged_arr.measured_value >= {{ var('health_band_target_min_flagged_churned_arr_share') }}
            as is_met,
        flagged_arr.basis
    from flagged_arr

    union all

    select
        'median_week_flagged_account_share' as target_name,
        flagged_accounts.measured_value,
        cast({{ var('health_band_target_max_flagged_account_share') }} as {{ double_type() }})
            as target_value,
        'at_most' as target_rule,
        flagged_accounts.measured_value <= {{ var('health_band_target_max_flagged_account_share') }}
            as is_met,
        flagged_accounts.basis
    from flagged_accounts

    union all

    select
        'churn_rate_rising_pairs' as target_name,
        cast(rising.rising_pairs as {{ double_type() }}) as measured_value,
        cast(rising.band_pairs as {{ double_type() }}) as target_value,
        'all_rise' as target_rule,
        rising.rising_pairs = rising.band_pairs as is_met,
        rate_chain.basis
    from rising
    cross join rate_chain
),

final as (
    select
        cast(target_name as {{ dbt.type_string() }}) as target_name,
        measured_value,
        target_value,
        cast(target_rule as {{ dbt.type_string() }}) as target_rule,
        coalesce(is_met, false) as is_met,
        cast(basis as {{ dbt.type_string() }}) as basis
    from targets
)

select * from final
