{#-
    The first day of each health input in the book (docs/definitions.md#health-coverage): the
    earliest usage day, user creation, integration, ticket, NPS answer, feedback item,
    community activity, CRM event and invoice, one row. An input is present at a snapshot dated
    D when its first day is before D: the feed was connected, so an account without rows of its
    own in it has a real zero (no use, no ticket), not missing data. A header-only or empty
    table has a null day: never present.
-#}
with

feature_days as (
    select * from {{ ref('int_usage_account_feature_days_aggregated') }}
),

users as (
    select * from {{ ref('stg_raw__users') }}
),

integrations as (
    select * from {{ ref('stg_raw__integrations') }}
),

tickets as (
    select * from {{ ref('stg_raw__support_tickets') }}
),

nps as (
    select * from {{ ref('stg_raw__nps_responses') }}
),

feedback as (
    select * from {{ ref('stg_raw__feedback_items') }}
),

community as (
    select * from {{ ref('stg_raw__community_activity') }}
),

crm_events as (
    select * from {{ ref('stg_raw__crm_events') }}
),

invoices as (
    select * from {{ ref('stg_raw__invoices') }}
),

first_days as (
    select
        'usage' as input_name,
        min(usage_date) as first_day
    from feature_days
    union all
    select
        'user' as input_name,
        min(cast(created_at as date)) as first_day
    from users
    union all
    select
        'integration' as input_name,
        min(cast(connected_at as date)) as first_day
    from integrations
    union all
    select
        'support' as input_name,
        min(cast(created_at as date)) as first_day
    from tickets
    union all
    select
        'nps' as input_name,
        min(cast(responded_at as date)) as first_day
    from nps
    union all
    select
        'feedback' as input_name,
        min(cast(created_at as date)) as first_day
    from feedback
    union all
    select
        'community' as input_name,
        min(cast(occurred_at as date)) as first_day
    from community
    union all
    select
        'crm' as input_name,
        min(cast(occurred_at as date)) as first_day
    from crm_events
    union all
    select
        'invoice' as input_name,
        min(cast(issued_at as date)) as first_day
    from invoices
),

final as (
    select
    {%- for input_name in health_input_names() %}
        min(case when input_name = '{{ input_name }}' then first_day end)
            as first_{{ input_name }}_day{{ "," if not loop.last }}  -- noqa: LT02
    {%- endfor %}
    from first_days
)

select * from final
