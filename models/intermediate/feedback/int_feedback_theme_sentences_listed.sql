{#-
    One row per sentence and theme it carries (the candidates for a theme's quotes), with the
    text's account, day and month, the sentence's tone, how many themes the sentence carries
    and its length in words (docs/definitions.md#feedback-themes).
-#}
with

corpus as (
    select * from {{ ref('int_feedback_corpus_unified') }}
),

classified_sentences as (
    select * from {{ ref('py_feedback_sentences_classified') }}
),

themes as (
    select * from {{ ref('feedback_themes') }}
),

sentence_themes as (
    select
        classified_sentences.text_id,
        classified_sentences.sentence_number,
        classified_sentences.sentence,
        classified_sentences.sentiment,
        classified_sentences.themes,
        themes.theme
    from classified_sentences
    inner join themes
        on {{ dbt.position(
            dbt.concat(["'|'", 'themes.theme', "'|'"]),
            dbt.concat(["'|'", 'classified_sentences.themes', "'|'"])
        ) }} > 0
),

measured as (
    select
        text_id,
        sentence_number,
        sentence,
        sentiment,
        theme,
        -- separators + 1: the number of themes in the |-list
        {{ dbt.length('themes') }} - {{ dbt.length(dbt.replace('themes', "'|'", "''")) }} + 1
            as sentence_theme_count,
        -- spaces + 1 after trimming: words, near enough to keep quotes readable
        {{ dbt.length('trim(sentence)') }}
        - {{ dbt.length(dbt.replace('trim(sentence)', "' '", "''")) }} + 1 as word_count
    from sentence_themes
),

final as (
    select
        measured.text_id,
        measured.sentence_number,
        measured.theme,
        measured.sentence,
        measured.sentiment,
        measured.sentence_theme_count,
        measured.word_count,
        corpus.source,
        corpus.account_id,
        corpus.written_at,
        corpus.written_on,
        corpus.written_month
    from measured
    inner join corpus
        on measured.text_id = corpus.text_id
)

select * from final
