{#-
    Signal, category and weighted composite health scores per account and snapshot, before the
    composite is anchored to the book's retained history (int_account_health_scored,
    docs/definitions.md#health-scores). The signals go into long form (account, snapshot, signal,
    value) and are scored by a join with the resolved weights: each maps to 0-100 on a straight
    line between the seed's worst and best values; a category is the weighted mean of its present
    signals (a group by), the weighted composite the weighted mean of its present categories. A
    missing signal's weight is shared among the present signals of its category; a category with
    no signal shares its weight among the other categories. Coverage (docs/definitions.md#health-coverage): which inputs the
    book had before the snapshot, and the share of the prior weight whose signal had data; without
    a behavioural signal, or below `health_min_signal_coverage`, the snapshot has too little data
    and the weighted composite is null.
-#}
{%- set signals = health_signal_names() -%}
{%- set all_signals = [] -%}
{%- for category, names in signals.items() -%}
    {%- for signal in names -%}{%- do all_signals.append((category, signal)) -%}{%- endfor -%}
{%- endfor -%}
{%- set inputs = health_input_names() -%}
{%- set signal_inputs = health_signal_inputs() -%}
{%- set behavioural_signals = [] -%}
{%- for _category, signal in all_signals -%}
    {%- for input_name in signal_inputs[signal] if inputs[input_name] -%}
        {%- if loop.first -%}{%- do behavioural_signals.append(signal) -%}{%- endif -%}
    {%- endfor -%}
{%- endfor -%}

with

snapshots as (
    select * from {{ ref('int_account_snapshots_listed') }}
),

{% for category in signals %}
    {{ category }} as (
        select * from {{ ref('int_health_' ~ category ~ '_measured') }}
    ),
{% endfor %}

input_days as (
    select * from {{ ref('int_health_inputs_dated') }}
),

prior_signal_weights as (
    select * from {{ ref('health_signals') }}
),

prior_category_weights as (
    select * from {{ ref('health_category_weights') }}
),

resolved_weights as (
    select * from {{ ref('int_health_signal_weights_resolved') }}
),

coverage_weights as (
    -- each signal's share of the prior weight (signal weight x category weight), whichever
    -- weights score: coverage keeps one meaning when a team adopts calibrated weights
    select
        prior_signal_weights.signal_name,
        prior_signal_weights.weight * prior_category_weights.weight as coverage_weight,
        sum(prior_signal_weights.weight * prior_category_weights.weight) over () as total_coverage_weight
    from prior_signal_weights
    inner join prior_category_weights
        on prior_signal_weights.category = prior_category_weights.category
),

measured as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        snapshots.is_as_of_date,
        snapshots.segment,
        snapshots.csm_owner,
        snapshots.arr,
        {%- for input_name in inputs %}
            coalesce(input_days.first_{{ input_name }}_day < snapshots.snapshot_date, false)
                as has_{{ input_name }}_data,
        {%- endfor %}
    {%- for category, signal in all_signals %}
        cast({{ category }}.{{ signal }} as {{ double_type() }}) as {{ signal }}{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from snapshots
    cross join input_days
    {%- for category in signals %}
        inner join {{ category }}
            on snapshots.account_id = {{ category }}.account_id
            and snapshots.snapshot_date = {{ category }}.snapshot_date
    {%- endfor %}
),

signal_values as (
    -- the signals in long form, one row per account, snapshot and signal; a signal has data
    -- when it has a value and every input it rests on was there (macro health_signal_inputs)
    {%- for _category, signal in all_signals %}
        select
            account_id,
            snapshot_date,
            '{{ signal }}' as signal_name,
            {{ signal }} as signal_value,
            (
                {{ signal }} is not null
                {%- for input_name in signal_inputs[signal] %}
                    and has_{{ input_name }}_data
                {%- endfor %}
            ) as has_data,
            {{ 'true' if signal in behavioural_signals else 'false' }} as is_behavioural
        from measured
        {{ "union all" if not loop.last }}
    {%- endfor %}
),

signal_scores as (
    -- scored by a join with the seeds: the ramp between worst and best, and the weights
    select
        signal_values.account_id,
        signal_values.snapshot_date,
        signal_values.signal_name,
        signal_values.has_data,
        signal_values.is_behavioural,
        resolved_weights.category,
        resolved_weights.signal_weight,
        resolved_weights.category_weight,
        coverage_weights.coverage_weight,
        coverage_weights.total_coverage_weight,
        {{ ramp_score(
            'signal_values.signal_value',
            'resolved_weights.worst_value',
            'resolved_weights.best_value') }} as signal_score
    from signal_values
    inner join resolved_weights
        on signal_values.signal_name = resolved_weights.signal_name
    inner join coverage_weights
        on signal_values.signal_name = coverage_weights.signal_name
),

category_scores as (
    -- the weighted mean of the category's present signals (a missing one's weight is shared)
    select
        account_id,
        snapshot_date,
        category,
        max(category_weight) as category_weight,
        sum(signal_score * signal_weight)
        / nullif(sum(case when signal_score is not null then signal_weight else 0 end), 0)
            as category_score
    from signal_scores
    group by account_id, snapshot_date, category
),

snapshot_coverage as (
    select
        account_id,
        snapshot_date,
        round(
            sum(case when has_data then coverage_weight else 0 end) / max(total_coverage_weight), 4
        ) as signal_coverage,
        max(case when has_data and is_behavioural then 1 else 0 end) = 1 as has_behavioural_signal
    from signal_scores
    group by account_id, snapshot_date
),

judged_coverage as (
    -- too little data for a health call: no behavioural signal, or too little of the weight
    select
        account_id,
        snapshot_date,
        signal_coverage,
        not has_behavioural_signal
        or signal_coverage < {{ var('health_min_signal_coverage') }} as is_insufficient_data
    from snapshot_coverage
),

snapshot_scores as (
    -- back to one row per snapshot: the weighted mean of the present categories, and the
    -- category and signal scores as columns of the history
    select
        category_scores.account_id,
        category_scores.snapshot_date,
        sum(category_scores.category_score * category_scores.category_weight)
        / nullif(sum(
            case when category_scores.category_score is not null then category_scores.category_weight else 0 end
        ), 0) as composite_score,
    {%- for category in signals %}
        max(case when category_scores.category = '{{ category }}' then category_scores.category_score end)
            as {{ category }}_score{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from category_scores
    group by category_scores.account_id, category_scores.snapshot_date
),

signal_score_columns as (
    select
        account_id,
        snapshot_date,
    {%- for _category, signal in all_signals %}
        max(case when signal_name = '{{ signal }}' then signal_score end) as {{ signal }}_score{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from signal_scores
    group by account_id, snapshot_date
),

final as (
    select
        measured.account_id,
        measured.snapshot_date,
        measured.is_as_of_date,
        measured.segment,
        measured.csm_owner,
        measured.arr,
        case
            when not snapshot_coverage.is_insufficient_data then round(snapshot_scores.composite_score, 2)
        end as weighted_score,
        snapshot_coverage.is_insufficient_data,
        snapshot_coverage.signal_coverage,
        {%- for input_name in inputs %}
            measured.has_{{ input_name }}_data,
        {%- endfor %}
        {%- for category in signals %}
            round(snapshot_scores.{{ category }}_score, 2) as {{ category }}_score,
        {%- endfor %}
    {%- for _category, signal in all_signals %}
        measured.{{ signal }} as {{ signal }}_value,
        round(signal_score_columns.{{ signal }}_score, 2) as {{ signal }}_score{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from measured
    inner join judged_coverage as snapshot_coverage
        on measured.account_id = snapshot_coverage.account_id
        and measured.snapshot_date = snapshot_coverage.snapshot_date
    inner join snapshot_scores
        on measured.account_id = snapshot_scores.account_id
        and measured.snapshot_date = snapshot_scores.snapshot_date
    inner join signal_score_columns
        on measured.account_id = signal_score_columns.account_id
        and measured.snapshot_date = signal_score_columns.snapshot_date
)

select * from final
