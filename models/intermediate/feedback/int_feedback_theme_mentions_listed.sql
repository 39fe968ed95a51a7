{#-
    One row per text and theme it mentions (the classifier's themes of the text, seed
    feedback_themes), with the text's account, day, ARR, segment and ICP tier, and the tone of
    the theme in that text: the most pressing tone of the text's sentences that carry the theme
    (urgent, negative, positive, neutral), or the text's tone when no single sentence carries it
    (a theme the classifier gave to the text as a whole). docs/definitions.md#feedback-themes.
-#}
with

corpus as (
    select * from {{ ref('int_feedback_corpus_unified') }}
),

classified_texts as (
    select * from {{ ref('py_feedback_texts_classified') }}
),

classified_sentences as (
    select * from {{ ref('py_feedback_sentences_classified') }}
),

themes as (
    select * from {{ ref('feedback_themes') }}
),

text_themes as (
    -- the |-list split by the seed: a theme is mentioned when |theme| occurs in |themes|
    select
        classified_texts.text_id,
        themes.theme,
        themes.route,
        classified_texts.sentiment as text_sentiment
    from classified_texts
    inner join themes
        on {{ dbt.position(
            dbt.concat(["'|'", 'themes.theme', "'|'"]),
            dbt.concat(["'|'", 'classified_texts.themes', "'|'"])
        ) }} > 0
),

sentence_tones as (
    -- 4 urgent, 3 negative, 2 positive, 1 neutral: the most pressing tone wins
    select
        classified_sentences.text_id,
        themes.theme,
        max(
            case classified_sentences.sentiment
                when 'urgent' then 4
                when 'negative' then 3
                when 'positive' then 2
                else 1
            end
        ) as tone_rank
    from classified_sentences
    inner join themes
        on {{ dbt.position(
            dbt.concat(["'|'", 'themes.theme', "'|'"]),
            dbt.concat(["'|'", 'classified_sentences.themes', "'|'"])
        ) }} > 0
    group by classified_sentences.text_id, themes.theme
),

final as (
    select
        text_themes.text_id,
        text_themes.theme,
        text_themes.route,
        corpus.source_table,
        corpus.source,
        corpus.account_id,
        corpus.written_at,
        corpus.written_on,
        corpus.written_month,
        corpus.arr,
        corpus.segment,
        corpus.icp_tier,
        text_themes.text_sentiment,
        case sentence_tones.tone_rank
            when 4 then 'urgent'
            when 3 then 'negative'
            when 2 then 'positive'
            when 1 then 'neutral'
            else text_themes.text_sentiment
        end as theme_sentiment
    from text_themes
    inner join corpus
        on text_themes.text_id = corpus.text_id
    left join sentence_tones
        on text_themes.text_id = sentence_tones.text_id
        and text_themes.theme = sentence_tones.theme
)

select * from final
