{#-
    One row per theme and month of the corpus: how often the theme was mentioned, by how many
    accounts and how much ARR, in which tone, its trend against the months before with a
    two-proportion z-test, the segment it touches most, and three quotes chosen by a stated
    rule (docs/definitions.md#feedback-themes).
-#}
{%- set prior_months = var('feedback_trend_months') -%}
{%- set alpha = var('feedback_trend_alpha') -%}
{%- set min_mentions = var('feedback_trend_min_mentions') -%}
{%- set min_words = var('feedback_quote_min_words') -%}
{%- set max_words = var('feedback_quote_max_words') -%}
{%- set non_problem_themes = var('feedback_non_problem_themes') -%}
{#- a theme no text carries when the list is empty, so the test below always parses -#}
{%- set not_problems = non_problem_themes if non_problem_themes | length > 0 else [''] -%}
with

corpus as (
    select * from {{ ref('int_feedback_corpus_unified') }}
),

mentions as (
    select * from {{ ref('int_feedback_theme_mentions_listed') }}
),

theme_sentences as (
    select * from {{ ref('int_feedback_theme_sentences_listed') }}
),

themes as (
    select * from {{ ref('feedback_themes') }}
),

month_texts as (
    select
        written_month as month,
        count(*) as texts
    from corpus
    group by written_month
),

theme_months as (
    select
        themes.theme,
        themes.route,
        month_texts.month,
        month_texts.texts
    from themes
    cross join month_texts
),

mention_counts as (
    select
        theme,
        written_month as month,
        count(*) as mentions,
        count(distinct account_id) as accounts,
        sum(case when theme_sentiment = 'positive' then 1 else 0 end) as positive_mentions,
        sum(case when theme_sentiment = 'neutral' then 1 else 0 end) as neutral_mentions,
        sum(case when theme_sentiment = 'negative' then 1 else 0 end) as negative_mentions,
        sum(case when theme_sentiment = 'urgent' then 1 else 0 end) as urgent_mentions
    from mentions
    group by theme, written_month
),

latest_account_mentions as (
    -- each account once per theme and month, at the ARR of its latest mention that month
    select
        theme,
        written_month as month,
        account_id,
        segment,
        arr,
        row_number() over (
            partition by theme, written_month, account_id
            order by written_at desc, text_id desc
        ) as recency_rank
    from mentions
    where account_id is not null
),

arr_affected as (
    select
        theme,
        month,
        sum(arr) as arr_affected
    from latest_account_mentions
    where recency_rank = 1
    group by theme, month
),

latest_problem_mentions as (
    -- each account once per theme and month among its negative or urgent mentions, at the ARR
    -- of the latest of them (the weighted impact); none for themes that are no problem (praise)
    select
        theme,
        written_month as month,
        account_id,
        arr,
        row_number() over (
            partition by theme, written_month, account_id
            order by written_at desc, text_id desc
        ) as recency_rank
    from mentions
    where
        account_id is not null
        and theme_sentiment in ('negative', 'urgent')
        and theme not in ('{{ not_problems | join("', '") }}')
),

problem_impact as (
    select
        theme,
        month,
        count(*) as problem_accounts,
        sum(arr) as weighted_impact_arr
    from latest_problem_mentions
    where recency_rank = 1
    group by theme, month
),

segment_arr as (
    select
        theme,
        month,
        coalesce(segment, 'unknown') as segment,
        sum(arr) as segment_arr,
        count(*) as segment_accounts
    from latest_account_mentions
    where recency_rank = 1
    group by theme, month, coalesce(segment, 'unknown')
),

top_segments as (
    select
        theme,
        month,
        segment,
        segment_arr,
        row_number() over (
            partition by theme, month
            order by segment_arr desc, segment_accounts desc, segment asc
        ) as segment_rank
    from segment_arr
),

counted as (
    select
        theme_months.theme,
        theme_months.route,
        theme_months.month,
        theme_months.texts,
        coalesce(mention_counts.mentions, 0) as mentions,
        coalesce(mention_counts.accounts, 0) as accounts,
        coalesce(arr_affected.arr_affected, 0) as arr_affected,
        coalesce(problem_impact.problem_accounts, 0) as problem_accounts,
        coalesce(problem_impact.weighted_impact_arr, 0) as weighted_impact_arr,
        coalesce(mention_counts.positive_mentions, 0) as positive_mentions,
        coalesce(mention_counts.neutral_mentions, 0) as neutral_mentions,
        coalesce(mention_counts.negative_mentions, 0) as negative_mentions,
        coalesce(mention_counts.urgent_mentions, 0) as urgent_mentions
    from theme_months
    left join mention_counts
        on theme_months.theme = mention_counts.theme
        and theme_months.month = mention_counts.month
    left join arr_affected
        on theme_months.theme = arr_affected.theme
        and theme_months.month = arr_affected.month
    left join problem_impact
        on theme_months.theme = problem_impact.theme
        and theme_months.month = problem_impact.month
),

with_prior as (
    -- the months before, within feedback_trend_months calendar months (months without any
    -- text add nothing)
    select
        counted.theme,
        counted.month,
        coalesce(sum(earlier.texts), 0) as prior_texts,
        coalesce(sum(earlier.mentions), 0) as prior_mentions
    from counted
    left join counted as earlier
        on counted.theme = earlier.theme
        and earlier.month < counted.month
        and earlier.month >= {{ dbt.dateadd('month', -1 * prior_months, 'counted.month') }}
    group by counted.theme, counted.month
),

pooled as (
    select
        counted.*,
        with_prior.prior_texts,
        with_prior.prior_mentions,
        1.0 * (counted.mentions + with_prior.prior_mentions)
        / nullif(counted.texts + with_prior.prior_texts, 0) as pooled_share
    from counted
    inner join with_prior
        on counted.theme = with_prior.theme
        and counted.month = with_prior.month
),

tested as (
    -- two-proportion z-test, pooled: this month's mention share against the prior months'
    select
        *,
        case
            when
                texts > 0 and prior_texts > 0
                and mentions + prior_mentions >= {{ min_mentions }}
                and pooled_share < 1
                then (1.0 * mentions / texts - 1.0 * prior_mentions / prior_texts)
                    / sqrt(pooled_share * (1 - pooled_share) * (1.0 / texts + 1.0 / prior_texts))
        end as trend_z
    from pooled
),

modal_tones as (
    -- the theme's most frequent tone in the month (ties: the more pressing tone)
    select
        theme,
        month,
        case
            when
                urgent_mentions >= negative_mentions and urgent_mentions >= positive_mentions
                and urgent_mentions >= neutral_mentions
                then 'urgent'
            when negative_mentions >= positive_mentions and negative_mentions >= neutral_mentions
                then 'negative'
            when positive_mentions >= neutral_mentions then 'positive'
            else 'neutral'
        end as modal_tone
    from counted
    where mentions > 0
),

quote_candidates as (
    -- readable sentences of texts with an account; typical: the sentence carries the theme
    -- alone and in the theme's most frequent tone of the month; then the most recent
    select
        theme_sentences.theme,
        theme_sentences.written_month as month,
        theme_sentences.account_id,
        theme_sentences.text_id,
        theme_sentences.sentence_number,
        theme_sentences.sentence,
        theme_sentences.written_at,
        case when theme_sentences.sentence_theme_count = 1 then 0 else 1 end as focus_rank,
        case when theme_sentences.sentiment = modal_tones.modal_tone then 0 else 1 end as tone_rank
    from theme_sentences
    inner join modal_tones
        on theme_sentences.theme = modal_tones.theme
        and theme_sentences.written_month = modal_tones.month
    where
        theme_sentences.account_id is not null
        and theme_sentences.word_count between {{ min_words }} and {{ max_words }}
),

distinct_wordings as (
    -- a sentence several accounts wrote word for word is a candidate once, for the best of them
    select
        *,
        row_number() over (
            partition by theme, month, lower(sentence)
            order by focus_rank asc, tone_rank asc, written_at desc, text_id asc, sentence_number asc
        ) as wording_rank
    from quote_candidates
),

account_best as (
    -- each account's best remaining sentence
    select
        *,
        row_number() over (
            partition by theme, month, account_id
            order by focus_rank asc, tone_rank asc, written_at desc, text_id asc, sentence_number asc
        ) as account_rank
    from distinct_wordings
    where wording_rank = 1
),

quotes_ranked as (
    -- the accounts' best sentences in the same order: three quotes from three accounts
    select
        theme,
        month,
        text_id,
        sentence,
        row_number() over (
            partition by theme, month
            order by focus_rank asc, tone_rank asc, written_at desc, text_id asc, sentence_number asc
        ) as quote_rank
    from account_best
    where account_rank = 1
),

quotes as (
    select
        theme,
        month,
        max(case when quote_rank = 1 then sentence end) as quote_1,
        max(case when quote_rank = 1 then text_id end) as quote_1_text_id,
        max(case when quote_rank = 2 then sentence end) as quote_2,
        max(case when quote_rank = 2 then text_id end) as quote_2_text_id,
        max(case when quote_rank = 3 then sentence end) as quote_3,
        max(case when quote_rank = 3 then text_id end) as quote_3_text_id
    from quotes_ranked
    where quote_rank <= 3
    group by theme, month
),

final as (
    select
        tested.theme,
        tested.route,
        tested.month,
        cast(tested.texts as {{ dbt.type_bigint() }}) as texts,
        cast(tested.mentions as {{ dbt.type_bigint() }}) as mentions,
        {{ round_half(safe_ratio('tested.mentions', 'tested.texts'), 6) }} as mention_share,
        cast(tested.accounts as {{ dbt.type_bigint() }}) as accounts,
        cast(tested.arr_affected as {{ arr_type() }}) as arr_affected,
        tested.theme not in ('{{ not_problems | join("', '") }}') as is_problem,
        cast(tested.problem_accounts as {{ dbt.type_bigint() }}) as problem_accounts,
        cast(tested.weighted_impact_arr as {{ arr_type() }}) as weighted_impact_arr,
        {{ round_half(safe_ratio('tested.positive_mentions', 'tested.mentions'), 6) }} as positive_share,
        {{ round_half(safe_ratio('tested.neutral_mentions', 'tested.mentions'), 6) }} as neutral_share,
        {{ round_half(safe_ratio('tested.negative_mentions', 'tested.mentions'), 6) }} as negative_share,
        {{ round_half(safe_ratio('tested.urgent_mentions', 'tested.mentions'), 6) }} as urgent_share,
        cast(tested.prior_texts as {{ dbt.type_bigint() }}) as prior_texts,
        cast(tested.prior_mentions as {{ dbt.type_bigint() }}) as prior_mentions,
        {{ round_half(safe_ratio('tested.prior_mentions', 'tested.prior_texts'), 6) }}
            as prior_mention_share,
        {{ round_half('tested.trend_z', 4) }} as trend_z,
        {{ round_half(normal_two_sided_p('tested.trend_z'), 4) }} as trend_p_value,
        case
            when tested.trend_z is null then 'insufficient_data'
            when {{ normal_two_sided_p('tested.trend_z') }} >= {{ alpha }} then 'steady'
            when tested.trend_z > 0 then 'rising'
            else 'falling'
        end as trend,
        top_segments.segment as segment_most_affected,
        cast(top_segments.segment_arr as {{ arr_type() }}) as segment_most_affected_arr,
        quotes.quote_1,
        quotes.quote_1_text_id,
        quotes.quote_2,
        quotes.quote_2_text_id,
        quotes.quote_3,
        quotes.quote_3_text_id
    from tested
    left join top_segments
        on tested.theme = top_segments.theme
        and tested.month = top_segments.month
        and top_segments.segment_rank = 1
    left join quotes
        on tested.theme = quotes.theme
        and tested.month = quotes.month
)

select * from final
