{#-
    Community users and their engagement (docs/definitions.md#community-engaged-users): per user
    with any community activity up to as_of_date, the engagement score over the last
    community_engagement_window_days (sum of the seed community_elements points of each
    activity), whether the user is among the top community_top_user_share of users with a
    positive score (advisory-board candidates), and whether the user has gone quiet: active in
    the engagement window before the last community_quiet_days, and not since. With the user's
    account, its segment and ARR at the as-of month.
-#}
{%- set window_days = var('community_engagement_window_days') -%}
{%- set quiet_days = var('community_quiet_days') -%}

with

community as (
    select * from {{ ref('stg_raw__community_activity') }}
),

elements as (
    select * from {{ ref('community_elements') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

arr as (
    select * from {{ ref('int_account_arr_snapshotted') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

known as (
    -- activity up to the end of as_of_date
    select
        community.account_id,
        community.user_id,
        community.occurred_at,
        as_of.as_of_date,
        coalesce(elements.engagement_points, 0) as points
    from community
    cross join as_of
    left join elements
        on community.activity_type = elements.activity_type
    where community.occurred_at
        < cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as timestamp)
),

per_user as (
    select
        account_id,
        user_id,
        max(occurred_at) as last_activity_at,
        sum(case
            when occurred_at >= cast({{ dbt.dateadd('day', 1 - window_days, 'as_of_date') }} as timestamp)
                then points
            else 0
        end) as engagement_score,
        sum(case
            when occurred_at >= cast({{ dbt.dateadd('day', 1 - window_days, 'as_of_date') }} as timestamp)
                then 1
            else 0
        end) as activities_in_window,
        sum(case
            when occurred_at >= cast({{ dbt.dateadd('day', 1 - quiet_days, 'as_of_date') }} as timestamp)
                then 1
            else 0
        end) as activities_recent,
        sum(case
            when occurred_at < cast({{ dbt.dateadd('day', 1 - quiet_days, 'as_of_date') }} as timestamp)
                and occurred_at >= cast({{ dbt.dateadd('day', 1 - quiet_days - window_days, 'as_of_date') }} as timestamp)
                then 1
            else 0
        end) as activities_before_quiet,
        max(as_of_date) as as_of_date
    from known
    group by account_id, user_id
),

ranked as (
    select
        per_user.*,
        sum(case when per_user.engagement_score > 0 then 1 else 0 end) over () as engaged_users,
        row_number() over (
            order by per_user.engagement_score desc, per_user.last_activity_at desc, per_user.user_id asc
        ) as engagement_rank
    from per_user
),

final as (
    select
        ranked.user_id,
        ranked.account_id,
        coalesce(accounts.segment, 'unknown') as segment,
        cast(coalesce(arr.arr, 0) as {{ arr_type() }}) as arr,
        cast(ranked.engagement_score as {{ dbt.type_bigint() }}) as engagement_score,
        cast(ranked.activities_in_window as {{ dbt.type_bigint() }}) as activities_in_window,
        cast(
            case when ranked.engagement_score > 0 then ranked.engagement_rank end
            as {{ dbt.type_bigint() }}
        ) as engagement_rank,
        (
            ranked.engagement_score > 0
            and ranked.engagement_rank
            <= ceiling({{ var('community_top_user_share') }} * ranked.engaged_users)
        ) as is_advisory_board_candidate,
        ranked.last_activity_at,
        cast(
            {{ dbt.datediff('cast(ranked.last_activity_at as date)', 'ranked.as_of_date', 'day') }}
            as integer
        ) as days_since_last_activity,
        (ranked.activities_recent = 0 and ranked.activities_before_quiet > 0) as is_gone_quiet,
        ranked.as_of_date
    from ranked
    left join accounts
        on ranked.account_id = accounts.account_id
    left join arr
        on ranked.account_id = arr.account_id
        and arr.month = cast({{ dbt.date_trunc('month', 'ranked.as_of_date') }} as date)
)

select * from final
