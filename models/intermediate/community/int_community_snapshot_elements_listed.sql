{#-
    The community elements (seed community_elements: templates, events, certifications, posts
    and replies) each snapshot of int_community_snapshots_flagged has activity in, in its member
    window (var community_member_window_days; docs/definitions.md#community): one row per
    account, snapshot and element with at least one activity of that element.
-#}
{%- set member_days = var('community_member_window_days') -%}

with

snapshots as (
    select * from {{ ref('int_community_snapshots_flagged') }}
    where is_member
),

community as (
    select * from {{ ref('stg_raw__community_activity') }}
),

elements as (
    select * from {{ ref('community_elements') }}
),

final as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        coalesce(elements.element, 'other') as element,
        count(*) as activities
    from snapshots
    inner join community
        on snapshots.account_id = community.account_id
        and community.occurred_at
        >= cast({{ dbt.dateadd('day', -member_days, 'snapshots.snapshot_date') }} as timestamp)
        and community.occurred_at < cast(snapshots.snapshot_date as timestamp)
    left join elements
        on community.activity_type = elements.activity_type
    group by snapshots.account_id, snapshots.snapshot_date, coalesce(elements.element, 'other')
)

select * from final
