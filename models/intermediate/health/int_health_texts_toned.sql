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
with

corpus as (
    select * from {{ ref('int_feedback_corpus_unified') }}
),

classified as (
    select * from {{ ref('py_feedback_texts_classified') }}
),

toned_sources as (
    select 'support_ticket' as source, 'ticket_tone' as signal_name
    {%- for source in var('health_review_tone_sources') %}
    union all
    select '{{ source }}' as source, 'review_tone' as signal_name
    {%- endfor %}
),

final as (
    select
        corpus.text_id,
        corpus.source,
        toned_sources.signal_name,
        corpus.account_id,
        corpus.written_at,
        corpus.written_on,
        classified.sentiment,
        cast(classified.tone_score as {{ double_type() }}) as tone_score
    from corpus
    inner join toned_sources
        on corpus.source = toned_sources.source
    inner join classified
        on corpus.text_id = classified.text_id
    where corpus.account_id is not null
)

select * from final
