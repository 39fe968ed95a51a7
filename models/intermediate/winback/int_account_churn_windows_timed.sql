{#-
    Each churn's win-back window from seeds/winback_windows.csv (docs/definitions.md#win-back):
    days after the churn (anchor `churn`), or days after the first release on or after the
    churn of the feature it asked for (anchor `release`, seeds/product_releases.csv: the release
    whose comment_match is in the survey comment, else any release), or none (not
    addressable). Status at as_of_date: reactivated, not_addressable, waiting, open or closed.
-#}
with

churns as (
    select * from {{ ref('int_account_churns_reasoned') }}
),

windows as (
    select * from {{ ref('winback_windows') }}
),

releases as (
    select * from {{ ref('product_releases') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

named_requests as (
    -- churns whose survey comment names a feature of the releases seed
    select distinct
        churns.account_id,
        churns.churn_date,
        releases.comment_match
    from churns
    inner join releases
        on releases.comment_match is not null
        and {{ dbt.position('releases.comment_match', 'lower(churns.survey_comment)') }} > 0
),

answering_releases as (
    -- the releases that answer a churn: its named feature, or any release when it named none
    select
        churns.account_id,
        churns.churn_date,
        releases.feature,
        releases.released_on,
        row_number() over (
            partition by churns.account_id, churns.churn_date
            order by releases.released_on, releases.feature
        ) as release_order
    from churns
    inner join releases
        on releases.released_on >= churns.churn_date
    left join named_requests
        on churns.account_id = named_requests.account_id
        and churns.churn_date = named_requests.churn_date
    where named_requests.comment_match is null
        or releases.comment_match = named_requests.comment_match
),

first_releases as (
    select * from answering_releases
    where release_order = 1
),

anchored as (
    select
        churns.*,
        windows.is_addressable,
        windows.window_anchor,
        windows.approach,
        windows.message_template,
        windows.window_opens_days,
        windows.window_closes_days,
        case
            when windows.window_anchor = 'release' then first_releases.feature
        end as released_feature,
        case windows.window_anchor
            when 'churn' then churns.churn_date
            when 'release' then first_releases.released_on
        end as anchor_date
    from churns
    left join windows
        on churns.churn_reason = windows.churn_reason
    left join first_releases
        on churns.account_id = first_releases.account_id
        and churns.churn_date = first_releases.churn_date
),

timed as (
    select
        anchored.*,
        {{ dbt.dateadd('day', 'anchored.window_opens_days', 'anchored.anchor_date') }}
            as window_opens_on,
        {{ dbt.dateadd('day', 'anchored.window_closes_days', 'anchored.anchor_date') }}
            as window_closes_on,
        as_of.as_of_date
    from anchored
    cross join as_of
),

final as (
    select
        account_id,
        churn_date,
        segment,
        account_name,
        use_case,
        icp_tier,
        days_since_first_revenue,
        prior_arr,
        churn_reason,
        reason_source,
        reason_rule,
        survey_comment,
        competitor_name,
        health_snapshot_date,
        health_score_at_churn,
        health_band_at_churn,
        returned_on,
        approach,
        message_template,
        released_feature,
        cast(window_opens_on as date) as window_opens_on,
        cast(window_closes_on as date) as window_closes_on,
        coalesce(is_addressable, false) as is_addressable,
        case
            when returned_on is not null then 'reactivated'
            when not coalesce(is_addressable, false) then 'not_addressable'
            when window_opens_on is null or as_of_date < window_opens_on then 'waiting'
            when as_of_date <= window_closes_on then 'open'
            else 'closed'
        end as window_status
    from timed
)

select * from final
