{#-
    For each theme and outcome, what happened to the revenue of the accounts that mentioned the
    theme in a month against the accounts that wrote that month without mentioning it, the theme's mention rate before the outcome against
    otherwise, and how long before the outcome the mentions came
    (docs/definitions.md#feedback-outcomes).
-#}
{%- set window_days = var('feedback_outcome_window_days') -%}
{%- set lead_min = var('feedback_lead_window_min_days') -%}
{%- set lead_max = var('feedback_lead_window_max_days') -%}
{%- set min_accounts = var('feedback_min_account_months_per_group') -%}
{%- set z = var('feedback_interval_z') -%}
with

texts_flagged as (
    select * from {{ ref('int_feedback_texts_outcomes_flagged') }}
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

corpus as (
    select * from {{ ref('int_feedback_corpus_unified') }}
),

outcome_kinds as (
    {{ feedback_outcome_kinds() }}
),

outcomes as (
    select distinct outcome from outcome_kinds
),

theme_outcomes as (
    select
        themes.theme,
        outcomes.outcome
    from themes
    cross join outcomes
),

flagged_mentions as (
    -- each observable text, outcome and theme: does the text mention the theme
    select
        texts_flagged.text_id,
        texts_flagged.outcome,
        texts_flagged.account_id,
        texts_flagged.written_month,
        texts_flagged.is_month_anchor,
        texts_flagged.is_followed_by_outcome,
        themes.theme,
        mentions.text_id is not null as mentions_theme
    from texts_flagged
    cross join themes
    left join mentions
        on texts_flagged.text_id = mentions.text_id
        and themes.theme = mentions.theme
),

account_months as (
    -- each account and month with an observable text: mentioning when a text of the month
    -- mentions the theme; the outcome is read after the month's first text, whatever it says,
    -- so that both groups have one start of the window per account-month
    select
        theme,
        outcome,
        account_id,
        written_month,
        max(case when mentions_theme then 1 else 0 end) as is_mentioning,
        max(case when is_month_anchor and is_followed_by_outcome then 1 else 0 end) as has_outcome
    from flagged_mentions
    group by theme, outcome, account_id, written_month
),

account_month_shares as (
    select
        theme,
        outcome,
        sum(is_mentioning) as account_months_mentioning,
        sum(is_mentioning * has_outcome) as account_months_mentioning_with_outcome,
        sum(1 - is_mentioning) as account_months_not_mentioning,
        sum((1 - is_mentioning) * has_outcome) as account_months_not_mentioning_with_outcome,
        count(distinct case when is_mentioning = 1 then account_id end) as accounts_mentioning
    from account_months
    group by theme, outcome
),

text_shares as (
    -- texts within the window before the outcome against the other texts
    select
        theme,
        outcome,
        sum(case when is_followed_by_outcome then 1 else 0 end) as texts_before_outcome,
        sum(case when is_followed_by_outcome and mentions_theme then 1 else 0 end)
            as mentions_before_outcome,
        sum(case when not is_followed_by_outcome then 1 else 0 end) as texts_otherwise,
        sum(case when not is_followed_by_outcome and mentions_theme then 1 else 0 end)
            as mentions_otherwise
    from flagged_mentions
    group by theme, outcome
),

corpus_start as (
    select min(written_on) as first_written_on from corpus
),

outcome_events as (
    -- every outcome late enough that a mention lead_max days before it could be in the corpus
    select
        changes.account_id,
        changes.changed_on,
        outcome_kinds.outcome
    from changes
    inner join outcome_kinds
        on changes.change_kind = outcome_kinds.change_kind
    cross join corpus_start
    where changes.changed_on >= {{ dbt.dateadd('day', lead_max, 'corpus_start.first_written_on') }}
),

event_counts as (
    select
        outcome,
        count(*) as outcome_events
    from outcome_events
    group by outcome
),

event_theme_leads as (
    -- per event and theme: the earliest mention within the window before it (the lead time),
    -- and whether a mention falls lead_min..lead_max days before it
    select
        outcome_events.outcome,
        outcome_events.account_id,
        outcome_events.changed_on,
        mentions.theme,
        max({{ dbt.datediff('mentions.written_on', 'outcome_events.changed_on', 'day') }})
            as lead_days,
        max(
            case
                when {{ dbt.datediff('mentions.written_on', 'outcome_events.changed_on', 'day') }}
                    between {{ lead_min }} and {{ lead_max }}
                    then 1
                else 0
            end
        ) as is_in_lead_window
    from outcome_events
    inner join mentions
        on outcome_events.account_id = mentions.account_id
        and mentions.written_on <= outcome_events.changed_on
        and mentions.written_on
        >= {{ dbt.dateadd('day', -1 * window_days, 'outcome_events.changed_on') }}
    group by
        outcome_events.outcome, outcome_events.account_id, outcome_events.changed_on, mentions.theme
),

lead_summary as (
    select
        theme,
        outcome,
        count(*) as events_preceded_by_mention,
        {{ median_of('lead_days') }} as median_lead_days,
        sum(is_in_lead_window) as events_with_mention_in_lead_window
    from event_theme_leads
    group by theme, outcome
),

counted as (
    select
        theme_outcomes.theme,
        theme_outcomes.outcome,
        lead_summary.median_lead_days,
        coalesce(account_month_shares.accounts_mentioning, 0) as accounts_mentioning,
        coalesce(account_month_shares.account_months_mentioning, 0) as account_months_mentioning,
        coalesce(account_month_shares.account_months_mentioning_with_outcome, 0)
            as account_months_mentioning_with_outcome,
        coalesce(account_month_shares.account_months_not_mentioning, 0)
            as account_months_not_mentioning,
        coalesce(account_month_shares.account_months_not_mentioning_with_outcome, 0)
            as account_months_not_mentioning_with_outcome,
        coalesce(text_shares.texts_before_outcome, 0) as texts_before_outcome,
        coalesce(text_shares.mentions_before_outcome, 0) as mentions_before_outcome,
        coalesce(text_shares.texts_otherwise, 0) as texts_otherwise,
        coalesce(text_shares.mentions_otherwise, 0) as mentions_otherwise,
        coalesce(event_counts.outcome_events, 0) as outcome_events,
        coalesce(lead_summary.events_preceded_by_mention, 0) as events_preceded_by_mention,
        coalesce(lead_summary.events_with_mention_in_lead_window, 0)
            as events_with_mention_in_lead_window
    from theme_outcomes
    left join account_month_shares
        on theme_outcomes.theme = account_month_shares.theme
        and theme_outcomes.outcome = account_month_shares.outcome
    left join text_shares
        on theme_outcomes.theme = text_shares.theme
        and theme_outcomes.outcome = text_shares.outcome
    left join event_counts
        on theme_outcomes.outcome = event_counts.outcome
    left join lead_summary
        on theme_outcomes.theme = lead_summary.theme
        and theme_outcomes.outcome = lead_summary.outcome
),

shares as (
    select
        *,
        1.0 * account_months_mentioning_with_outcome
        / nullif(account_months_mentioning, 0) as mentioning_share,
        1.0 * account_months_not_mentioning_with_outcome
        / nullif(account_months_not_mentioning, 0) as not_mentioning_share,
        1.0 * mentions_before_outcome / nullif(texts_before_outcome, 0) as before_share,
        1.0 * mentions_otherwise / nullif(texts_otherwise, 0) as otherwise_share
    from counted
),

measured as (
    -- a ratio needs an outcome (a mention) in both groups
    select
        *,
        account_months_mentioning >= {{ min_accounts }}
        and account_months_not_mentioning >= {{ min_accounts }} as has_enough_accounts,
        case
            when mentioning_share > 0 and not_mentioning_share > 0
                then mentioning_share / not_mentioning_share
        end as account_lift,
        case
            when before_share > 0 and otherwise_share > 0 then before_share / otherwise_share
        end as text_rate_ratio
    from shares
),

final as (
    select
        theme,
        outcome,
        cast({{ window_days }} as {{ dbt.type_int() }}) as window_days,
        cast(accounts_mentioning as {{ dbt.type_bigint() }}) as accounts_mentioning,
        cast(account_months_mentioning as {{ dbt.type_bigint() }}) as account_months_mentioning,
        cast(account_months_mentioning_with_outcome as {{ dbt.type_bigint() }}) as account_months_mentioning_with_outcome,
        {{ round_half(safe_ratio(
            'account_months_mentioning_with_outcome', 'account_months_mentioning'), 6) }}
            as outcome_share_mentioning,
        cast(account_months_not_mentioning as {{ dbt.type_bigint() }}) as account_months_not_mentioning,
        cast(account_months_not_mentioning_with_outcome as {{ dbt.type_bigint() }}) as account_months_not_mentioning_with_outcome,
        {{ round_half(safe_ratio(
            'account_months_not_mentioning_with_outcome', 'account_months_not_mentioning'), 6) }}
            as outcome_share_not_mentioning,
        case when has_enough_accounts then 'ok' else 'insufficient_data' end as status,
        case when has_enough_accounts then {{ round_half('account_lift', 4) }} end as lift,
        case when has_enough_accounts then {{ round_half(risk_ratio_bound(
            'account_months_mentioning_with_outcome', 'account_months_mentioning',
            'account_months_not_mentioning_with_outcome', 'account_months_not_mentioning', z, -1
        ), 4) }}
        end as lift_lower,
        case when has_enough_accounts then {{ round_half(risk_ratio_bound(
            'account_months_mentioning_with_outcome', 'account_months_mentioning',
            'account_months_not_mentioning_with_outcome', 'account_months_not_mentioning', z, 1
        ), 4) }}
        end as lift_upper,
        cast(texts_before_outcome as {{ dbt.type_bigint() }}) as texts_before_outcome,
        cast(mentions_before_outcome as {{ dbt.type_bigint() }}) as mentions_before_outcome,
        {{ round_half(safe_ratio('mentions_before_outcome', 'texts_before_outcome'), 6) }}
            as mention_share_before_outcome,
        cast(texts_otherwise as {{ dbt.type_bigint() }}) as texts_otherwise,
        cast(mentions_otherwise as {{ dbt.type_bigint() }}) as mentions_otherwise,
        {{ round_half(safe_ratio('mentions_otherwise', 'texts_otherwise'), 6) }}
            as mention_share_otherwise,
        {{ round_half('text_rate_ratio', 4) }} as mention_rate_ratio,
        {{ round_half(risk_ratio_bound(
            'mentions_before_outcome', 'texts_before_outcome',
            'mentions_otherwise', 'texts_otherwise', z, -1), 4) }} as mention_rate_ratio_lower,
        {{ round_half(risk_ratio_bound(
            'mentions_before_outcome', 'texts_before_outcome',
            'mentions_otherwise', 'texts_otherwise', z, 1), 4) }} as mention_rate_ratio_upper,
        cast(outcome_events as {{ dbt.type_bigint() }}) as outcome_events,
        cast(events_preceded_by_mention as {{ dbt.type_bigint() }}) as events_preceded_by_mention,
        {{ round_half('median_lead_days', 1) }} as median_lead_days,
        cast({{ lead_min }} as {{ dbt.type_int() }}) as lead_window_min_days,
        cast({{ lead_max }} as {{ dbt.type_int() }}) as lead_window_max_days,
        cast(events_with_mention_in_lead_window as {{ dbt.type_bigint() }}) as events_with_mention_in_lead_window,
        {{ round_half(safe_ratio('events_with_mention_in_lead_window', 'outcome_events'), 6) }}
            as share_of_events_with_mention_in_lead_window
    from measured
)

select * from final
