{#-
    Every row of every source that can carry a customer text, in one shape: the text (ticket
    subject and body together), its source, account, time and rating. Empty texts are still
    here, flagged, so that int_feedback_corpus_sources_counted can count what the corpus leaves
    out (docs/definitions.md#feedback-corpus).
-#}
with

tickets as (
    select * from {{ ref('stg_raw__support_tickets') }}
),

nps_responses as (
    select * from {{ ref('stg_raw__nps_responses') }}
),

feedback_items as (
    select * from {{ ref('stg_raw__feedback_items') }}
),

churn_surveys as (
    select * from {{ ref('stg_raw__churn_surveys') }}
),

crm_events as (
    select * from {{ ref('stg_raw__crm_events') }}
),

cs_activities as (
    select * from {{ ref('stg_raw__cs_activities') }}
),

ticket_texts as (
    -- subject and body as one text; a subject without closing punctuation gets a full stop, so
    -- the sentence splitter keeps it a sentence of its own
    select
        {{ dbt.concat(["'ticket:'", 'ticket_id']) }} as text_id,
        'support_tickets' as source_table,
        'support_ticket' as source,
        account_id,
        created_at as written_at,
        cast(csat_score as {{ double_type() }}) as rating,
        5 as rating_scale_max,
        case
            when subject is null or trim(subject) = '' then body
            when body is null or trim(body) = '' then subject
            when {{ dbt.right('trim(subject)', 1) }} in ('.', '!', '?')
                then {{ dbt.concat(['trim(subject)', "' '", 'body']) }}
            else {{ dbt.concat(['trim(subject)', "'. '", 'body']) }}
        end as text
    from tickets
),

nps_texts as (
    select
        {{ dbt.concat(["'nps:'", 'response_id']) }} as text_id,
        'nps_responses' as source_table,
        'nps' as source,
        account_id,
        responded_at as written_at,
        cast(score as {{ double_type() }}) as rating,
        10 as rating_scale_max,
        comment as text
    from nps_responses
),

feedback_item_texts as (
    -- the item's own source (review, community, social, cs_call, ...) is kept as the source
    select
        {{ dbt.concat(["'feedback:'", 'feedback_id']) }} as text_id,
        'feedback_items' as source_table,
        source,
        account_id,
        created_at as written_at,
        cast(rating as {{ double_type() }}) as rating,
        case when rating is not null then 5 end as rating_scale_max,
        body as text
    from feedback_items
),

churn_survey_texts as (
    select
        {{ dbt.concat(["'survey:'", 'survey_id']) }} as text_id,
        'churn_surveys' as source_table,
        'churn_survey' as source,
        account_id,
        submitted_at as written_at,
        cast(null as {{ double_type() }}) as rating,
        cast(null as {{ dbt.type_int() }}) as rating_scale_max,
        comment as text
    from churn_surveys
),

crm_texts as (
    select
        {{ dbt.concat(["'crm:'", 'crm_event_id']) }} as text_id,
        'crm_events' as source_table,
        'crm_note' as source,
        account_id,
        occurred_at as written_at,
        cast(null as {{ double_type() }}) as rating,
        cast(null as {{ dbt.type_int() }}) as rating_scale_max,
        details as text
    from crm_events
),

cs_texts as (
    select
        {{ dbt.concat(["'cs:'", 'activity_id']) }} as text_id,
        'cs_activities' as source_table,
        'cs_note' as source,
        account_id,
        occurred_at as written_at,
        cast(null as {{ double_type() }}) as rating,
        cast(null as {{ dbt.type_int() }}) as rating_scale_max,
        notes as text
    from cs_activities
),

all_texts as (
    select * from ticket_texts
    union all
    select * from nps_texts
    union all
    select * from feedback_item_texts
    union all
    select * from churn_survey_texts
    union all
    select * from crm_texts
    union all
    select * from cs_texts
),

final as (
    select
        text_id,
        source_table,
        source,
        account_id,
        written_at,
        cast(written_at as date) as written_on,
        rating,
        rating_scale_max,
        trim(text) as text,
        coalesce(trim(text), '') <> '' as has_text
    from all_texts
)

select * from final
