{#-
    Step 4 of the NRR diagnostic sweep, name the dominant root cause
    (docs/definitions.md#nrr-diagnosis): one row per cause of the seed nrr_diagnostic_rules (five
    churn drivers, five expansion leaks) as of the last month of the latest complete quarter,
    with its evidence against the rule's threshold, the accounts and ARR behind it, where they
    concentrate, the feedback theme and a quote of theirs, its rank and status; and on every row
    the diagnosis statement in the coach's form and whether the "recovery will not work" signals
    fired. Reads fct_nrr_components_quarterly, a mart of the same domain, for what fell.
-#}
{%- set close_second_share = var('diagnosis_close_second_share') -%}
with

rules as (
    select * from {{ ref('nrr_diagnostic_rules') }}
),

evidence as (
    select * from {{ ref('int_nrr_cause_evidence_measured') }}
),

cause_accounts as (
    select * from {{ ref('int_nrr_cause_accounts_listed') }}
),

sentences as (
    select * from {{ ref('int_feedback_theme_sentences_listed') }}
),

components as (
    select * from {{ ref('fct_nrr_components_quarterly') }}
),

diagnosis as (
    select * from {{ ref('int_diagnosis_quarter_resolved') }}
),

behind as (
    select * from cause_accounts
    where is_behind
),

behind_totals as (
    select
        cause_key,
        count(*) as accounts_behind,
        sum(arr_at_risk) as arr_behind
    from behind
    group by cause_key
),

{% for dimension in ['segment', 'industry'] %}
    top_{{ dimension }} as (
        select
            cause_key,
            {{ dimension }} as top_{{ dimension }},
            row_number() over (
                partition by cause_key order by count(*) desc, sum(arr_at_risk) desc, {{ dimension }}
            ) as dimension_rank
        from behind
        group by cause_key, {{ dimension }}
    ),
{% endfor %}

complaints as (
    -- the negative sentences of the accounts behind a cause, up to the as-of month
    select
        behind.cause_key,
        sentences.theme,
        sentences.sentence,
        sentences.sentence_theme_count,
        sentences.word_count,
        sentences.written_on,
        sentences.text_id,
        sentences.sentence_number
    from behind
    inner join sentences
        on behind.account_id = sentences.account_id
    cross join diagnosis
    where sentences.sentiment in ('negative', 'urgent')
        and sentences.theme <> 'praise'
        and sentences.written_month <= diagnosis.as_of_month
),

top_theme as (
    select
        cause_key,
        theme as top_theme,
        row_number() over (partition by cause_key order by count(*) desc, theme) as theme_rank
    from complaints
    group by cause_key, theme
),

quotes as (
    select
        complaints.cause_key,
        complaints.sentence as example_quote,
        row_number() over (
            partition by complaints.cause_key
            order by
                case when complaints.sentence_theme_count = 1 then 0 else 1 end,
                case when complaints.word_count between 6 and 35 then 0 else 1 end,
                complaints.written_on desc,
                complaints.text_id asc,
                complaints.sentence_number asc
        ) as quote_rank
    from complaints
    inner join top_theme
        on complaints.cause_key = top_theme.cause_key
        and complaints.theme = top_theme.top_theme
        and top_theme.theme_rank = 1
),

causes as (
    select
        rules.rule_key as cause_key,
        rules.rule_kind as cause_kind,
        rules.rule_label as cause_label,
        rules.evidence_metric,
        rules.rule_text,
        rules.threshold_value,
        rules.min_z_score,
        rules.min_accounts,
        evidence.evidence_value,
        evidence.z_score,
        coalesce(behind_totals.accounts_behind, 0) as accounts_behind,
        coalesce(behind_totals.arr_behind, 0) as arr_behind
    from rules
    left join evidence
        on rules.rule_key = evidence.rule_key
    left join behind_totals
        on rules.rule_key = behind_totals.cause_key
    where rules.rule_kind in ('churn_driver', 'expansion_leak')
),

judged as (
    select
        causes.*,
        causes.evidence_value - causes.threshold_value as excess_over_threshold,
        -- the excess relative to the threshold: comparable across metrics of different scales
        case
            when causes.evidence_value is not null and causes.threshold_value > 0
                then (causes.evidence_value - causes.threshold_value) / causes.threshold_value
        end as relative_excess,
        case
            when causes.evidence_value is null or causes.accounts_behind < causes.min_accounts then 'insufficient_data'
            when causes.evidence_value < causes.threshold_value then 'below_threshold'
            when causes.min_z_score > 0 and (causes.z_score is null or causes.z_score < causes.min_z_score) then 'below_threshold'
            else 'present'
        end as base_status
    from causes
),

ranked as (
    select
        judged.*,
        row_number() over (
            order by
                case when judged.base_status = 'present' then 0 else 1 end,
                case when judged.relative_excess is null then 1 else 0 end,
                judged.relative_excess desc,
                judged.cause_key asc
        ) as cause_rank
    from judged
),

leader as (
    select relative_excess as leader_excess
    from ranked
    where cause_rank = 1 and base_status = 'present'
),

statused as (
    select
        ranked.*,
        ranked.cause_rank = 1 and ranked.base_status = 'present' as is_dominant,
        coalesce(
            ranked.cause_rank = 2 and ranked.base_status = 'present'
            and ranked.relative_excess >= {{ close_second_share }} * leader.leader_excess,
            false
        ) as is_close_second
    from ranked
    left join leader
        on 1 = 1
),

grr_trend as (
    -- consecutive quarters of falling quarterly GRR, ending at the latest complete quarter
    select
        coalesce(min(case
            when quarterly_grr_change is null or quarterly_grr_change >= 0 then quarters_back
        end), count(*)) as falling_quarters
    from components
),

now_and_then as (
    select
        max(case when quarters_back = 0 then quarter_label end) as latest_quarter,
        max(case when quarters_back = 0 then quarterly_grr end) as latest_grr,
        max(case when quarters_back = 0 then quarterly_nrr end) as latest_nrr,
        max(case when quarters_back = 0 then regressed_component end) as latest_regressed,
        max(case when quarters_back = 0 then regression_share end) as latest_regression,
        max(case when quarters_back = 4 then quarter_label end) as earlier_quarter,
        max(case when quarters_back = 4 then quarterly_grr end) as earlier_grr,
        max(case when quarters_back = 4 then quarterly_nrr end) as earlier_nrr
    from components
),

blocker_rules as (
    select * from rules
    where rule_kind = 'recovery_blocker'
),

blockers as (
    select
        blocker_rules.rule_key,
        case
            when blocker_rules.rule_key = 'grr_declining_without_stable_cause'
                then grr_trend.falling_quarters >= blocker_rules.threshold_value
                    and not exists (
                        select 1 from statused
                        where statused.is_dominant and statused.cause_kind = 'churn_driver'
                    )
            else coalesce(evidence.evidence_value >= blocker_rules.threshold_value, false)
        end as has_fired
    from blocker_rules
    cross join grr_trend
    left join evidence
        on blocker_rules.rule_key = evidence.rule_key
),

blocker_summary as (
    select
        count(case when has_fired then 1 end) > 0 as recovery_will_not_work,
        coalesce({{ concat_present([
            "max(case when has_fired and rule_key = 'grr_declining_without_stable_cause' then rule_key end)",
            "max(case when has_fired and rule_key = 'many_segments_churning' then rule_key end)",
            "max(case when has_fired and rule_key = 'competitor_structurally_ahead' then rule_key end)",
        ], '|') }}, '') as recovery_blockers
    from blockers
),

dominant as (
    select
        statused.*,
        top_segment.top_segment,
        top_industry.top_industry
    from statused
    left join top_segment
        on statused.cause_key = top_segment.cause_key and top_segment.dimension_rank = 1
    left join top_industry
        on statused.cause_key = top_industry.cause_key and top_industry.dimension_rank = 1
    where statused.is_dominant
),

close_second_cause as (
    select cause_label from statused
    where is_close_second
),

statement as (
    select
        {{ dbt.concat([
            "'Quarterly GRR went from '",
            "coalesce(" ~ rounded_text('100 * now_and_then.earlier_grr', 1) ~ ", 'n/a')",
            "'% in '", "coalesce(now_and_then.earlier_quarter, 'n/a')",
            "' to '", "coalesce(" ~ rounded_text('100 * now_and_then.latest_grr', 1) ~ ", 'n/a')",
            "'% in '", "coalesce(now_and_then.latest_quarter, 'n/a')",
            "', NRR from '",
            "coalesce(" ~ rounded_text('100 * now_and_then.earlier_nrr', 1) ~ ", 'n/a')",
            "'% to '", "coalesce(" ~ rounded_text('100 * now_and_then.latest_nrr', 1) ~ ", 'n/a')",
            "'%; in the latest quarter '",
            "case when now_and_then.latest_regressed = 'none' or now_and_then.latest_regressed is null"
            ~ " then 'no component regressed' else " ~ dbt.concat([
                "now_and_then.latest_regressed", "' regressed most (+'",
                rounded_text('100 * now_and_then.latest_regression', 1),
                "' pts of starting ARR)'"]) ~ " end",
            "'. '",
            "case when dominant.cause_key is null then "
            ~ "'No cause reaches its threshold: no dominant root cause.' else "
            ~ dbt.concat([
                "'The accounts behind it are concentrated in '",
                "coalesce(dominant.top_segment, 'n/a')", "', '",
                "coalesce(dominant.top_industry, 'n/a')", "' ('",
                dbt.cast('dominant.accounts_behind', dbt.type_string()), "' accounts, $'",
                rounded_text('dominant.arr_behind', 0), "' ARR). Root cause: '",
                "dominant.cause_label", "' - '", "dominant.rule_text", "' ('",
                "dominant.evidence_metric", "' '", rounded_text('dominant.evidence_value', 3),
                "' against '", rounded_text('dominant.threshold_value', 3), "').'",
                "coalesce(" ~ dbt.concat(["' Close second: '", "close_second_cause.cause_label", "'.'"]) ~ ", '')",
            ]) ~ " end",
        ]) }} as diagnosis_statement
    from now_and_then
    left join dominant
        on 1 = 1
    left join close_second_cause
        on 1 = 1
),

final as (
    select
        diagnosis.as_of_month,
        statused.cause_key,
        statused.cause_kind,
        statused.cause_label,
        statused.evidence_metric,
        cast(statused.evidence_value as {{ double_type() }}) as evidence_value,
        cast(statused.threshold_value as {{ double_type() }}) as threshold_value,
        cast(statused.excess_over_threshold as {{ double_type() }}) as excess_over_threshold,
        cast(statused.z_score as {{ double_type() }}) as z_score,
        cast(statused.accounts_behind as integer) as accounts_behind,
        cast(statused.arr_behind as {{ double_type() }}) as arr_behind,
        top_segment.top_segment,
        top_industry.top_industry,
        top_theme.top_theme,
        quotes.example_quote,
        cast(statused.cause_rank as integer) as cause_rank,
        statused.is_dominant,
        statused.is_close_second,
        statement.diagnosis_statement,
        blocker_summary.recovery_will_not_work,
        blocker_summary.recovery_blockers,
        case
            when statused.is_dominant then 'dominant'
            when statused.is_close_second then 'close_second'
            else statused.base_status
        end as status
    from statused
    cross join diagnosis
    cross join statement
    cross join blocker_summary
    left join top_segment
        on statused.cause_key = top_segment.cause_key and top_segment.dimension_rank = 1
    left join top_industry
        on statused.cause_key = top_industry.cause_key and top_industry.dimension_rank = 1
    left join top_theme
        on statused.cause_key = top_theme.cause_key and top_theme.theme_rank = 1
    left join quotes
        on statused.cause_key = quotes.cause_key and quotes.quote_rank = 1
)

select * from final
