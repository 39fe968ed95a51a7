{#-
    Every customer text in one corpus (docs/definitions.md#feedback-corpus): one row per
    non-empty text of every source, with its account's ARR at the text's day and the account's
    segment and ICP tier. Texts that are null or blank are left out here and counted per source
    in int_feedback_corpus_sources_counted: there is nothing to classify in them.
-#}
with

collected as (
    select * from {{ ref('int_feedback_texts_collected') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

dated_texts as (
    -- only texts with words; a build with an earlier as_of_date reads the corpus as it was then
    select collected.*
    from collected
    cross join as_of
    where collected.has_text and collected.written_on <= as_of.as_of_date
),

arr_on_the_day as (
    -- the account's ARR on the text's day, from the lines under contract that day (start_date
    -- inclusive, end_date exclusive, as every ARR figure of the project)
    select
        dated_texts.text_id,
        {{ round_to_cents('sum(line_items.arr_usd)') }} as arr
    from dated_texts
    inner join line_items
        on dated_texts.account_id = line_items.account_id
        and line_items.start_date <= dated_texts.written_on
        and (line_items.end_date is null or line_items.end_date > dated_texts.written_on)
    group by dated_texts.text_id
),

final as (
    select
        dated_texts.text_id,
        dated_texts.source_table,
        dated_texts.source,
        dated_texts.account_id,
        dated_texts.written_at,
        dated_texts.written_on,
        cast({{ dbt.date_trunc('month', 'dated_texts.written_on') }} as date) as written_month,
        dated_texts.rating,
        dated_texts.rating_scale_max,
        dated_texts.text,
        -- an account without a line that day has ARR 0; a text without an account has none
        case
            when dated_texts.account_id is not null then coalesce(arr_on_the_day.arr, cast(0 as {{ arr_type() }}))
        end as arr,
        accounts.segment,
        accounts.icp_tier
    from dated_texts
    left join arr_on_the_day
        on dated_texts.text_id = arr_on_the_day.text_id
    left join accounts
        on dated_texts.account_id = accounts.account_id
)

select * from final
