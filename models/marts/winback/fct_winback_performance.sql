{#-
    How win-back performs, by churn reason and for all churns (docs/definitions.md#win-back):
    the Kaplan-Meier share reactivated within winback_horizon_days with its 95% interval
    (Greenwood, log-log), the conversion of addressable churns whose window has opened against
    the playbook's target (Wilson 95% interval), and the reactivated ARR still there
    winback_retention_days after the return.
-#}
{%- set retention_days = var('winback_retention_days') -%}

with

churns as (
    select * from {{ ref('int_account_churn_windows_timed') }}
),

curves as (
    select * from {{ ref('int_winback_returns_survived') }}
),

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
    where arr_usd > 0
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

by_reason as (
    select
        churns.*,
        churns.churn_reason as reported_reason
    from churns
    union all
    select
        churns.*,
        'all' as reported_reason
    from churns
),

last_steps as (
    select
        *,
        row_number() over (
            partition by churn_reason order by days_since_churn desc
        ) as step_from_end
    from curves
),

horizon_shares as (
    select * from last_steps
    where step_from_end = 1
),

matured_returns as (
    -- returns at least winback_retention_days before as_of_date, with their ARR on the day of
    -- the return and that many days later (kept: at most the ARR at the return)
    select
        churns.account_id,
        churns.churn_date,
        churns.returned_on,
        {{ dbt.dateadd('day', retention_days, 'churns.returned_on') }} as retention_date
    from churns
    cross join as_of
    where churns.returned_on is not null
        and {{ dbt.dateadd('day', retention_days, 'churns.returned_on') }} <= as_of.as_of_date
),

returned_arr as (
    select
        matured_returns.account_id,
        matured_returns.churn_date,
        {{ round_to_cents(
            'sum(case when line_items.start_date <= matured_returns.returned_on'
            ~ ' and (line_items.end_date is null'
            ~ ' or line_items.end_date > matured_returns.returned_on)'
            ~ ' then line_items.arr_usd else 0 end)'
        ) }} as arr_at_return,
        {{ round_to_cents(
            'sum(case when line_items.start_date <= matured_returns.retention_date'
            ~ ' and (line_items.end_date is null'
            ~ ' or line_items.end_date > matured_returns.retention_date)'
            ~ ' then line_items.arr_usd else 0 end)'
        ) }} as arr_after_retention_days
    from matured_returns
    inner join line_items
        on matured_returns.account_id = line_items.account_id
    group by matured_returns.account_id, matured_returns.churn_date
),

per_churn as (
    select
        by_reason.reported_reason,
        by_reason.is_addressable,
        by_reason.reason_source,
        by_reason.returned_on,
        returned_arr.arr_at_return,
        returned_arr.arr_after_retention_days,
        -- addressable, its window opened by as_of_date, and not back before it opened
        by_reason.is_addressable
        and by_reason.window_opens_on <= as_of.as_of_date
        and (by_reason.returned_on is null or by_reason.returned_on >= by_reason.window_opens_on)
            as has_open_window,
        by_reason.is_addressable
        and by_reason.window_opens_on <= as_of.as_of_date
        and by_reason.returned_on >= by_reason.window_opens_on as is_converted
    from by_reason
    cross join as_of
    left join returned_arr
        on by_reason.account_id = returned_arr.account_id
        and by_reason.churn_date = returned_arr.churn_date
),

aggregated as (
    select
        reported_reason as churn_reason,
        count(*) as churns,
        sum(case when reason_source = 'survey' then 1 else 0 end) as churns_with_survey,
        sum(case when reason_source = 'inferred' then 1 else 0 end) as churns_inferred,
        sum(case when reason_source = 'unknown' then 1 else 0 end) as churns_unknown,
        sum(case when is_addressable then 1 else 0 end) as addressable_churns,
        sum(case when returned_on is not null then 1 else 0 end) as returns_to_date,
        sum(case when has_open_window then 1 else 0 end) as addressable_windows_opened,
        sum(case when is_converted then 1 else 0 end) as addressable_converted,
        sum(case when arr_at_return is not null then 1 else 0 end) as matured_returns,
        sum(arr_at_return) as reactivated_arr,
        sum(
            case
                when arr_after_retention_days < arr_at_return then arr_after_retention_days
                else arr_at_return
            end
        ) as reactivated_arr_kept
    from per_churn
    group by reported_reason
),

with_wilson as (
    -- Wilson score interval of the conversion share, z = 1.96
    select
        *,
        1.0 * addressable_converted / nullif(addressable_windows_opened, 0) as conversion_rate,
        (
            1.0 * addressable_converted / nullif(addressable_windows_opened, 0)
            + 1.96 * 1.96 / (2.0 * nullif(addressable_windows_opened, 0))
        ) / (1 + 1.96 * 1.96 / nullif(addressable_windows_opened, 0)) as wilson_centre,
        1.96 * sqrt(
            (1.0 * addressable_converted / nullif(addressable_windows_opened, 0))
            * (1 - 1.0 * addressable_converted / nullif(addressable_windows_opened, 0))
            / nullif(addressable_windows_opened, 0)
            + 1.96 * 1.96 / (4.0 * nullif(addressable_windows_opened, 0) * addressable_windows_opened)
        ) / (1 + 1.96 * 1.96 / nullif(addressable_windows_opened, 0)) as wilson_half_width
    from aggregated
),

final as (
    select
        with_wilson.churn_reason,
        cast(with_wilson.churns as {{ dbt.type_bigint() }}) as churns,
        cast(with_wilson.churns_with_survey as {{ dbt.type_bigint() }}) as churns_with_survey,
        cast(with_wilson.churns_inferred as {{ dbt.type_bigint() }}) as churns_inferred,
        cast(with_wilson.churns_unknown as {{ dbt.type_bigint() }}) as churns_unknown,
        cast(with_wilson.addressable_churns as {{ dbt.type_bigint() }}) as addressable_churns,
        cast(with_wilson.returns_to_date as {{ dbt.type_bigint() }}) as returns_to_date,
        cast(horizon_shares.cumulative_returns as {{ dbt.type_bigint() }})
            as returns_within_horizon,
        cast(horizon_shares.reactivated_share as {{ double_type() }})
            as reactivated_share_within_horizon,
        cast(horizon_shares.reactivated_share_lower as {{ double_type() }})
            as reactivated_share_lower,
        cast(horizon_shares.reactivated_share_upper as {{ double_type() }})
            as reactivated_share_upper,
        cast(with_wilson.addressable_windows_opened as {{ dbt.type_bigint() }})
            as addressable_windows_opened,
        cast(with_wilson.addressable_converted as {{ dbt.type_bigint() }})
            as addressable_converted,
        cast(with_wilson.conversion_rate as {{ double_type() }}) as conversion_rate,
        cast(with_wilson.wilson_centre - with_wilson.wilson_half_width as {{ double_type() }})
            as conversion_rate_lower,
        cast(with_wilson.wilson_centre + with_wilson.wilson_half_width as {{ double_type() }})
            as conversion_rate_upper,
        cast({{ var('winback_conversion_target_low') }} as {{ double_type() }})
            as conversion_target_low,
        cast({{ var('winback_conversion_target_high') }} as {{ double_type() }})
            as conversion_target_high,
        cast(with_wilson.matured_returns as {{ dbt.type_bigint() }}) as matured_returns,
        cast(coalesce(with_wilson.reactivated_arr, 0) as {{ arr_type() }}) as reactivated_arr,
        cast(coalesce(with_wilson.reactivated_arr_kept, 0) as {{ arr_type() }})
            as reactivated_arr_kept,
        cast(
            {{ safe_ratio('with_wilson.reactivated_arr_kept', 'with_wilson.reactivated_arr') }}
            as {{ double_type() }}
        ) as reactivated_arr_kept_share
    from with_wilson
    left join horizon_shares
        on with_wilson.churn_reason = horizon_shares.churn_reason
)

select * from final
