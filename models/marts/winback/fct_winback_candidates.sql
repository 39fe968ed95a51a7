{#-
    Every churn, ready for a win-back campaign (docs/definitions.md#win-back): its reason and
    where the reason comes from, the window, the message and a priority. Open windows first,
    then waiting, closed, healthy churn (not addressable, poor fit) and finally the accounts
    already back; within each, ICP tier 1 (an emergency) first, then the larger prior ARR.
-#}
with

windows as (
    select * from {{ ref('int_account_churn_windows_timed') }}
),

messaged as (
    select
        *,
        replace(
            replace(
                replace(
                    replace(
                        replace(message_template, '[company]', coalesce(account_name, account_id)),
                        '[use case]', coalesce(use_case, 'your use case')
                    ),
                    '[product]', '{{ var("winback_product_name") }}'
                ),
                '[feature]', coalesce(released_feature, 'the feature you asked for')
            ),
            '[competitor]', coalesce(competitor_name, 'your new tool')
        ) as message,
        coalesce(icp_tier = 1, false) as is_emergency,
        case window_status
            when 'open' then 1
            when 'waiting' then 2
            when 'closed' then 3
            when 'not_addressable' then 4
            else 5
        end as status_order
    from windows
),

ranked as (
    select
        *,
        row_number() over (
            order by
                status_order asc,
                case when is_emergency then 0 else 1 end asc,
                prior_arr desc,
                churn_date desc,
                account_id asc
        ) as priority_rank
    from messaged
),

final as (
    select
        cast(priority_rank as {{ dbt.type_bigint() }}) as priority_rank,
        account_id,
        account_name,
        churn_date,
        segment,
        cast(icp_tier as integer) as icp_tier,
        is_emergency,
        cast(prior_arr as {{ arr_type() }}) as prior_arr,
        churn_reason,
        reason_source,
        reason_rule,
        survey_comment,
        competitor_name,
        churn_reason = 'poor_fit' as is_healthy_churn,
        is_addressable,
        approach,
        message_template,
        message,
        released_feature,
        window_opens_on,
        window_closes_on,
        window_status,
        returned_on,
        cast(
            {{ dbt.datediff('churn_date', 'returned_on', 'day') }} as {{ dbt.type_bigint() }}
        ) as days_to_return,
        health_snapshot_date,
        cast(health_score_at_churn as {{ double_type() }}) as health_score_at_churn,
        health_band_at_churn
    from ranked
)

select * from final
