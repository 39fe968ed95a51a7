{#-
    One row per competitor of seed feedback_competitors and month of the corpus: texts naming it
    that month, their accounts and ARR, the negative comparisons, and the capability (theme)
    most named in those texts (docs/definitions.md#feedback-competitors).
-#}
{%- set non_capability_themes = var('feedback_non_capability_themes') -%}
{#- a theme no text carries when the list is empty, so the filter below always parses -#}
{%- set left_out = non_capability_themes if non_capability_themes | length > 0 else [''] -%}
with

corpus as (
    select * from {{ ref('int_feedback_corpus_unified') }}
),

competitor_mentions as (
    select * from {{ ref('int_feedback_competitor_mentions_listed') }}
),

theme_mentions as (
    select * from {{ ref('int_feedback_theme_mentions_listed') }}
),

competitors as (
    select distinct competitor from {{ ref('feedback_competitors') }}
),

months as (
    select distinct written_month as month from corpus
),

competitor_months as (
    select
        competitors.competitor,
        months.month
    from competitors
    cross join months
),

texts_naming as (
    -- each text once per competitor: negative when a sentence naming it reads negative or urgent
    select
        competitor_mentions.competitor,
        competitor_mentions.text_id,
        competitor_mentions.account_id,
        corpus.written_at,
        corpus.written_month as month,
        competitor_mentions.arr,
        max(case when competitor_mentions.is_negative_comparison then 1 else 0 end) as is_negative
    from competitor_mentions
    inner join corpus
        on competitor_mentions.text_id = corpus.text_id
    group by
        competitor_mentions.competitor, competitor_mentions.text_id,
        competitor_mentions.account_id, corpus.written_at, corpus.written_month,
        competitor_mentions.arr
),

latest_account_texts as (
    -- each account once per competitor and month, at the ARR of its latest text naming it
    select
        competitor,
        month,
        account_id,
        arr,
        row_number() over (
            partition by competitor, month, account_id order by written_at desc, text_id desc
        ) as recency_rank
    from texts_naming
    where account_id is not null
),

account_arr as (
    select
        competitor,
        month,
        count(*) as accounts,
        sum(arr) as arr
    from latest_account_texts
    where recency_rank = 1
    group by competitor, month
),

text_counts as (
    select
        competitor,
        month,
        count(*) as mentions,
        sum(is_negative) as negative_comparisons
    from texts_naming
    group by competitor, month
),

capabilities as (
    -- the themes of the texts naming the competitor, but those that are no capability
    select
        texts_naming.competitor,
        texts_naming.month,
        theme_mentions.theme,
        count(*) as capability_mentions
    from texts_naming
    inner join theme_mentions
        on texts_naming.text_id = theme_mentions.text_id
    where theme_mentions.theme not in ('{{ left_out | join("', '") }}')
    group by texts_naming.competitor, texts_naming.month, theme_mentions.theme
),

top_capabilities as (
    select
        competitor,
        month,
        theme,
        capability_mentions,
        row_number() over (
            partition by competitor, month order by capability_mentions desc, theme asc
        ) as capability_rank
    from capabilities
),

final as (
    select
        competitor_months.competitor,
        competitor_months.month,
        cast(coalesce(text_counts.mentions, 0) as {{ dbt.type_bigint() }}) as mentions,
        cast(coalesce(account_arr.accounts, 0) as {{ dbt.type_bigint() }}) as accounts,
        cast(coalesce(account_arr.arr, 0) as {{ arr_type() }}) as arr,
        cast(coalesce(text_counts.negative_comparisons, 0) as {{ dbt.type_bigint() }}) as negative_comparisons,
        {{ round_half(safe_ratio('text_counts.negative_comparisons', 'text_counts.mentions'), 6) }}
            as negative_comparison_share,
        top_capabilities.theme as most_named_capability,
        cast(coalesce(top_capabilities.capability_mentions, 0) as {{ dbt.type_bigint() }}) as most_named_capability_mentions
    from competitor_months
    left join text_counts
        on competitor_months.competitor = text_counts.competitor
        and competitor_months.month = text_counts.month
    left join account_arr
        on competitor_months.competitor = account_arr.competitor
        and competitor_months.month = account_arr.month
    left join top_capabilities
        on competitor_months.competitor = top_capabilities.competitor
        and competitor_months.month = top_capabilities.month
        and top_capabilities.capability_rank = 1
)

select * from final
