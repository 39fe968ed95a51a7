{#-
    Per source table: the rows read, the empty texts the corpus leaves out, the texts dated
    after as_of_date, and the texts in int_feedback_corpus_unified (read = empty + later + kept).
-#}
with

collected as (
    select * from {{ ref('int_feedback_texts_collected') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

final as (
    select
        collected.source_table,
        count(*) as rows_read,
        sum(case when not collected.has_text then 1 else 0 end) as empty_texts_left_out,
        sum(
            case when collected.has_text and collected.written_on > as_of.as_of_date then 1 else 0 end
        ) as texts_after_as_of_date,
        sum(
            case when collected.has_text and collected.written_on <= as_of.as_of_date then 1 else 0 end
        ) as texts_in_corpus
    from collected
    cross join as_of
    group by collected.source_table
)

select * from final
