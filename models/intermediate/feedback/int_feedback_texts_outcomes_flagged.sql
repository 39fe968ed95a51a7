{#-
    Each text the outcome measures can use, for each outcome, with whether the account had that
    outcome within feedback_outcome_window_days after the text (docs/definitions.md#feedback-outcomes).
    A text counts when it has an account that was paying on its day (ARR > 0) and its whole
    window lies on or before as_of_date (a later text cannot yet show what followed). Outcomes:
    churn, contraction, churn_or_contraction and expansion, from the day-level ARR changes.
    is_month_anchor marks the account's first such text of the month: the account-month
    comparison of fct_feedback_theme_outcomes reads the outcome after it.
-#}
{%- set window_days = var('feedback_outcome_window_days') -%}
with

corpus as (
    select * from {{ ref('int_feedback_corpus_unified') }}
),

changes as (
    select * from {{ ref('int_account_arr_changes_dated') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

outcome_kinds as (
    -- which ARR changes make each outcome
    {{ feedback_outcome_kinds() }}
),

outcomes as (
    select distinct outcome from outcome_kinds
),

observable_texts as (
    select
        corpus.text_id,
        corpus.account_id,
        corpus.written_on,
        corpus.written_month,
        row_number() over (
            partition by corpus.account_id, corpus.written_month
            order by corpus.written_at, corpus.text_id
        ) = 1 as is_month_anchor
    from corpus
    cross join as_of
    where
        corpus.account_id is not null
        and corpus.arr > 0
        and {{ dbt.dateadd('day', window_days, 'corpus.written_on') }} <= as_of.as_of_date
),

followed as (
    -- the first change of the outcome's kinds on or after the text's day, within the window
    select
        observable_texts.text_id,
        outcome_kinds.outcome,
        min(changes.changed_on) as outcome_on
    from observable_texts
    inner join changes
        on observable_texts.account_id = changes.account_id
        and changes.changed_on >= observable_texts.written_on
        and changes.changed_on <= {{ dbt.dateadd('day', window_days, 'observable_texts.written_on') }}
    inner join outcome_kinds
        on changes.change_kind = outcome_kinds.change_kind
    group by observable_texts.text_id, outcome_kinds.outcome
),

final as (
    select
        observable_texts.text_id,
        outcomes.outcome,
        observable_texts.account_id,
        observable_texts.written_on,
        observable_texts.written_month,
        observable_texts.is_month_anchor,
        cast(followed.outcome_on as date) as outcome_on,
        followed.outcome_on is not null as is_followed_by_outcome
    from observable_texts
    cross join outcomes
    left join followed
        on observable_texts.text_id = followed.text_id
        and outcomes.outcome = followed.outcome
)

select * from final
