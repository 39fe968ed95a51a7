{#-
    One row per competitor of seed feedback_competitors: how often customers name it, how many
    accounts and how much ARR, how many of those sentences compare negatively, and the
    capability (theme) most named in the texts that name it
    (docs/definitions.md#feedback-competitors).
-#}
{%- set non_capability_themes = var('feedback_non_capability_themes') -%}
{#- a theme no text carries when the list is empty, so the filter below always parses -#}
{%- set left_out = non_capability_themes if non_capability_themes | length > 0 else [''] -%}
with

competitor_mentions as (
    select * from {{ ref('int_feedback_competitor_mentions_listed') }}
),

theme_mentions as (
    select * from {{ ref('int_feedback_theme_mentions_listed') }}
),

competitors as (
    select distinct competitor from {{ ref('feedback_competitors') }}
),

texts_naming as (
    -- each text once per competitor: negative when a sentence naming it reads negative or urgent
    select
        competitor,
        text_id,
        account_id,
        written_on,
        arr,
        max(case when is_negative_comparison then 1 else 0 end) as is_negative
    from competitor_mentions
    group by competitor, text_id, account_id, written_on, arr
),

latest_account_texts as (
    -- each account once per competitor, at the ARR of its latest text naming it
    select
        competitor,
        account_id,
        arr,
        row_number() over (
            partition by competitor, account_id order by written_on desc, text_id desc
        ) as recency_rank
    from texts_naming
    where account_id is not null
),

account_arr as (
    select
        competitor,
        count(*) as accounts,
        sum(arr) as arr
    from latest_account_texts
    where recency_rank = 1
    group by competitor
),

text_counts as (
    select
        competitor,
        count(*) as mentions,
        sum(is_negative) as negative_comparisons,
        min(written_on) as first_mentioned_on,
        max(written_on) as last_mentioned_on
    from texts_naming
    group by competitor
),

capabilities as (
    -- the themes of the texts naming the competitor, but those that are no capability
    select
        texts_naming.competitor,
        theme_mentions.theme,
        count(*) as capability_mentions
    from texts_naming
    inner join theme_mentions
        on texts_naming.text_id = theme_mentions.text_id
    where theme_mentions.theme not in ('{{ left_out | join("', '") }}')
    group by texts_naming.competitor, theme_mentions.theme
),

top_capabilities as (
    select
        competitor,
        theme,
        capability_mentions,
        row_number() over (
            partition by competitor order by capability_mentions desc, theme asc
        ) as capability_rank
    from capabilities
),

final as (
    select
        competitors.competitor,
        cast(coalesce(text_counts.mentions, 0) as {{ dbt.type_bigint() }}) as mentions,
        cast(coalesce(account_arr.accounts, 0) as {{ dbt.type_bigint() }}) as accounts,
        cast(coalesce(account_arr.arr, 0) as {{ arr_type() }}) as arr,
        cast(coalesce(text_counts.negative_comparisons, 0) as {{ dbt.type_bigint() }}) as negative_comparisons,
        {{ round_half(safe_ratio('text_counts.negative_comparisons', 'text_counts.mentions'), 6) }}
            as negative_comparison_share,
        top_capabilities.theme as most_named_capability,
        cast(coalesce(top_capabilities.capability_mentions, 0) as {{ dbt.type_bigint() }}) as most_named_capability_mentions,
        text_counts.first_mentioned_on,
        text_counts.last_mentioned_on
    from competitors
    left join text_counts
        on competitors.competitor = text_counts.competitor
    left join account_arr
        on competitors.competitor = account_arr.competitor
    left join top_capabilities
        on competitors.competitor = top_capabilities.competitor
        and top_capabilities.capability_rank = 1
)

select * from final
