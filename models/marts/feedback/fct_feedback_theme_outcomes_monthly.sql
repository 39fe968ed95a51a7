{#-
    One row per month, theme and outcome (churn_or_contraction, expansion): of the accounts that
    wrote that month, those that mentioned the theme against those that did not, the share of
    each with the outcome within feedback_outcome_window_days after the month's first text, the
    risk ratio with its Katz interval, and whether the window is over
    (docs/definitions.md#feedback-outcomes-by-month).
-#}
{%- set window_days = var('feedback_outcome_window_days') -%}
{%- set min_accounts = var('feedback_min_accounts_per_month_group') -%}
{%- set z = var('feedback_interval_z') -%}
with

corpus as (
    select * from {{ ref('int_feedback_corpus_unified') }}
),

mentions as (
    select * from {{ ref('int_feedback_theme_mentions_listed') }}
),

themes as (
    select * from {{ ref('feedback_themes') }}
),

changes as (
    select * from {{ ref('int_account_arr_changes_dated') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

outcome_kinds as (
    -- the two outcomes of the monthly report: churn or contraction, and expansion
    select * from ({{ feedback_outcome_kinds() }}) as kinds
    where outcome in ('churn_or_contraction', 'expansion')
),

outcomes as (
    select distinct outcome from outcome_kinds
),

paying_texts as (
    -- texts of an account that was paying on the text's day
    select
        text_id,
        account_id,
        written_at,
        written_on,
        written_month
    from corpus
    where account_id is not null and arr > 0
),

ranked_texts as (
    select
        *,
        row_number() over (
            partition by account_id, written_month order by written_at, text_id
        ) as text_rank
    from paying_texts
),

account_months as (
    -- each account and month with a paying text; the window starts on the month's first text
    select
        account_id,
        written_month as month,
        written_on as window_start_on
    from ranked_texts
    where text_rank = 1
),

account_month_themes as (
    -- the themes an account mentioned in any of its paying texts of the month
    select distinct
        paying_texts.account_id,
        paying_texts.written_month as month,
        mentions.theme
    from paying_texts
    inner join mentions
        on paying_texts.text_id = mentions.text_id
),

account_month_outcomes as (
    -- an outcome change 0..window_days after the window start (the changes end at as_of_date)
    select distinct
        account_months.account_id,
        account_months.month,
        outcome_kinds.outcome
    from account_months
    inner join changes
        on account_months.account_id = changes.account_id
        and changes.changed_on >= account_months.window_start_on
        and changes.changed_on
        <= {{ dbt.dateadd('day', window_days, 'account_months.window_start_on') }}
    inner join outcome_kinds
        on changes.change_kind = outcome_kinds.change_kind
),

months as (
    select distinct month from account_months
),

month_windows as (
    -- the latest window of a month starts on its last day; it is over when it ends by as_of_date
    select
        months.month,
        as_of.as_of_date,
        cast({{ dbt.dateadd('day', window_days, dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'months.month'))) }} as date)
            as window_end_on
    from months
    cross join as_of
),

units as (
    -- each theme, outcome and account-month: mentioning or not, with the outcome or not
    select
        themes.theme,
        themes.route,
        outcomes.outcome,
        account_months.month,
        case when account_month_themes.theme is not null then 1 else 0 end as is_mentioning,
        case when account_month_outcomes.outcome is not null then 1 else 0 end as has_outcome
    from account_months
    cross join themes
    cross join outcomes
    left join account_month_themes
        on account_months.account_id = account_month_themes.account_id
        and account_months.month = account_month_themes.month
        and themes.theme = account_month_themes.theme
    left join account_month_outcomes
        on account_months.account_id = account_month_outcomes.account_id
        and account_months.month = account_month_outcomes.month
        and outcomes.outcome = account_month_outcomes.outcome
),

counted as (
    select
        theme,
        route,
        outcome,
        month,
        sum(is_mentioning) as accounts_mentioning,
        sum(is_mentioning * has_outcome) as accounts_mentioning_with_outcome,
        sum(1 - is_mentioning) as accounts_not_mentioning,
        sum((1 - is_mentioning) * has_outcome) as accounts_not_mentioning_with_outcome
    from units
    group by theme, route, outcome, month
),

measured as (
    select
        counted.*,
        month_windows.window_end_on,
        case
            when month_windows.window_end_on < month_windows.as_of_date
                then month_windows.window_end_on
            else month_windows.as_of_date
        end as observed_through,
        case
            when month_windows.window_end_on > month_windows.as_of_date then 'window_open'
            when
                counted.accounts_mentioning < {{ min_accounts }}
                or counted.accounts_not_mentioning < {{ min_accounts }}
                then 'insufficient_data'
            else 'ok'
        end as status
    from counted
    inner join month_windows
        on counted.month = month_windows.month
),

final as (
    select
        month,
        theme,
        route,
        outcome,
        cast({{ window_days }} as {{ dbt.type_int() }}) as window_days,
        cast(observed_through as date) as observed_through,
        status,
        cast(accounts_mentioning as {{ dbt.type_bigint() }}) as accounts_mentioning,
        cast(accounts_mentioning_with_outcome as {{ dbt.type_bigint() }}) as accounts_mentioning_with_outcome,
        {{ round_half(safe_ratio('accounts_mentioning_with_outcome', 'accounts_mentioning'), 6) }}
            as outcome_share_mentioning,
        cast(accounts_not_mentioning as {{ dbt.type_bigint() }}) as accounts_not_mentioning,
        cast(accounts_not_mentioning_with_outcome as {{ dbt.type_bigint() }}) as accounts_not_mentioning_with_outcome,
        {{ round_half(safe_ratio(
            'accounts_not_mentioning_with_outcome', 'accounts_not_mentioning'), 6) }}
            as outcome_share_not_mentioning,
        case
            when
                status = 'ok' and accounts_mentioning_with_outcome > 0
                and accounts_not_mentioning_with_outcome > 0
                then {{ round_half(
                    '(1.0 * accounts_mentioning_with_outcome / accounts_mentioning)'
                    ~ ' / (1.0 * accounts_not_mentioning_with_outcome / accounts_not_mentioning)', 4) }}
        end as risk_ratio,
        case when status = 'ok' then {{ round_half(risk_ratio_bound(
            'accounts_mentioning_with_outcome', 'accounts_mentioning',
            'accounts_not_mentioning_with_outcome', 'accounts_not_mentioning', z, -1
        ), 4) }}
        end as risk_ratio_lower,
        case when status = 'ok' then {{ round_half(risk_ratio_bound(
            'accounts_mentioning_with_outcome', 'accounts_mentioning',
            'accounts_not_mentioning_with_outcome', 'accounts_not_mentioning', z, 1
        ), 4) }}
        end as risk_ratio_upper
    from measured
)

select * from final
