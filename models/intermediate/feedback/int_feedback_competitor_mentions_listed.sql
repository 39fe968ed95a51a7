{#-
    One row per sentence and competitor it names (seed feedback_competitors; the classifier
    matches names and aliases as whole words), with the sentence's tone and themes and the
    text's account, day and ARR. A negative comparison is such a sentence with a negative or
    urgent tone (docs/definitions.md#feedback-competitors).
-#}
with

corpus as (
    select * from {{ ref('int_feedback_corpus_unified') }}
),

classified_sentences as (
    select * from {{ ref('py_feedback_sentences_classified') }}
),

competitors as (
    select distinct competitor from {{ ref('feedback_competitors') }}
),

named as (
    select
        classified_sentences.text_id,
        classified_sentences.sentence_number,
        competitors.competitor,
        classified_sentences.sentence,
        classified_sentences.sentiment,
        classified_sentences.themes
    from classified_sentences
    inner join competitors
        on {{ dbt.position(
            dbt.concat(["'|'", 'competitors.competitor', "'|'"]),
            dbt.concat(["'|'", 'classified_sentences.competitors', "'|'"])
        ) }} > 0
),

final as (
    select
        named.text_id,
        named.sentence_number,
        named.competitor,
        named.sentence,
        named.sentiment,
        named.themes,
        corpus.source,
        corpus.account_id,
        corpus.written_on,
        corpus.arr,
        corpus.segment,
        named.sentiment in ('negative', 'urgent') as is_negative_comparison
    from named
    inner join corpus
        on named.text_id = corpus.text_id
)

select * from final
