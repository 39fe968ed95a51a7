{#-
    The tone of each support ticket and each review, as the feedback classifier reads it
    (docs/definitions.md#health-text-tone): one row per text of the feedback corpus whose source
    is `support_ticket` (subject and body as one text) or one of the var
    health_review_tone_sources (default: review), with the classifier's label (`sentiment`) and
    its score (`tone_score` = P(positive) - P(negative) - P(urgent), -1 to 1). The signals
    ticket_tone and review_tone of int_health_sentiment_measured average `tone_score`.

    The classification is the Python model py_feedback_texts_classified (on DuckDB) or the
    table of the same name that `nrr-calibrate-warehouse --step feedback` writes on a warehouse
    without dbt Python models (selectors.yml). Texts without an account, empty texts (nothing to
    classify: the corpus leaves them out) and texts after as_of_date are not here.
-#}
{#- an empty list reads no review: '' is no source of the corpus -#}
{%- set review_sources = var('health_review_tone_sources') -%}
{%- set review_sources = review_sources if review_sources | length > 0 else [''] -%}
with

corpus as (
    select * from {{ ref('int_feedback_corpus_unified') }}
),

classified as (
    select * from {{ ref('py_feedback_texts_classified') }}
),

final as (
    select
        corpus.text_id,
        corpus.source,
        case
            when corpus.source = 'support_ticket' then 'ticket_tone' else 'review_tone'
        end as signal_name,
        corpus.account_id,
        corpus.written_at,
        corpus.written_on,
        classified.sentiment,
        cast(classified.tone_score as {{ double_type() }}) as tone_score
    from corpus
    inner join classified
        on corpus.text_id = classified.text_id
    where
        corpus.account_id is not null
        and (
            corpus.source = 'support_ticket'
            or corpus.source in ('{{ review_sources | join("', '") }}')
        )
)

select * from final
