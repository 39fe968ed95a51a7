{#-
    Signal, category and weighted composite health scores per account and snapshot, before the
    composite is anchored to the book's retained history (int_account_health_scored,
    docs/definitions.md#health-scores). Each signal maps to 0-100 on a straight line between the
    seed's worst and best values; a category is the weighted mean of its present signals, the
    weighted composite the weighted mean of its present categories. A missing signal's weight is
    shared among the present signals of its category; a category with no signal shares its weight
    among the other categories. Coverage (docs/definitions.md#health-coverage): which inputs the
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

signal_parameters as (
    select
        signal_name,
        category,
        worst_value,
        best_value,
        signal_weight as weight
    from resolved_weights
),

category_weights as (
    select distinct
        category,
        category_weight as weight
    from resolved_weights
),

coverage_parameters as (
    -- each signal's share of the prior weight (signal weight x category weight), whichever
    -- weights score: coverage keeps one meaning when a team adopts calibrated weights
    select
        {%- for _category, signal in all_signals %}
            max(case
                when prior_signal_weights.signal_name = '{{ signal }}'
                    then prior_signal_weights.weight * prior_category_weights.weight
            end) as {{ signal }}__coverage_weight,
        {%- endfor %}
        sum(prior_signal_weights.weight * prior_category_weights.weight) as total__coverage_weight
    from prior_signal_weights
    inner join prior_category_weights
        on prior_signal_weights.category = prior_category_weights.category
),

parameters as (
    -- the seeds as one row, so every snapshot row reads them with a cross join
    select
    {%- for category, names in signals.items() %}
            {%- for signal in names %}
                max(case when signal_parameters.signal_name = '{{ signal }}' then signal_parameters.worst_value end)
                    as {{ signal }}__worst,
                max(case when signal_parameters.signal_name = '{{ signal }}' then signal_parameters.best_value end)
                    as {{ signal }}__best,
                max(case when signal_parameters.signal_name = '{{ signal }}' then signal_parameters.weight end)
                    as {{ signal }}__weight,
            {%- endfor %}
            (
                select max(category_weights.weight) from category_weights
                where category_weights.category = '{{ category }}'
            ) as {{ category }}__weight{{ "," if not loop.last }}  -- noqa: LT02
    
        {%- endfor %}
    from signal_parameters
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

signal_scores as (
    select
        measured.*,
        {%- for _category, signal in all_signals %}
        {{ ramp_score(
            'measured.' ~ signal,
            'parameters.' ~ signal ~ '__worst',
            'parameters.' ~ signal ~ '__best') }} as {{ signal }}_score,
        {%- endfor %}
        parameters.*,
        coverage_parameters.*
    from measured
    cross join parameters
    cross join coverage_parameters
),

{#- the coverage weight of each signal when it has data, for the share computed below -#}
{%- set covered_weights = [] %}
{%- for _category, signal in all_signals %}
    {%- set has_data = ['signal_scores.' ~ signal ~ ' is not null'] %}
    {%- for input_name in signal_inputs[signal] %}
        {%- do has_data.append('signal_scores.has_' ~ input_name ~ '_data') %}
    {%- endfor %}
    {%- do covered_weights.append(
        'case when ' ~ has_data | join(' and ') ~ ' then signal_scores.' ~ signal
        ~ '__coverage_weight else 0 end') %}
{%- endfor %}

coverage as (
    -- a signal has data when it has a value and every input it rests on was there
    select
        signal_scores.*,
        {{ round_half(
            '(' ~ covered_weights | join(' + ') ~ ') / signal_scores.total__coverage_weight', 4
        ) }} as signal_coverage,
        (
            {%- for signal in behavioural_signals %}
                (
                    signal_scores.{{ signal }} is not null
                    {%- for input_name in signal_inputs[signal] %}
                        and signal_scores.has_{{ input_name }}_data
                    {%- endfor %}
                ){{ " or" if not loop.last }}
            {%- endfor %}
        ) as has_behavioural_signal
    from signal_scores
),

category_scores as (
    select
        coverage.*,
        -- too little data for a health call: no behavioural signal, or too little of the weight
        not coverage.has_behavioural_signal
        or coverage.signal_coverage < {{ var('health_min_signal_coverage') }} as is_insufficient_data,
    {%- for category, names in signals.items() %}
        {{ weighted_mean_of_present(names, '_score', '__weight') }}
            as {{ category }}_score{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from coverage
),

composite as (
    select
        category_scores.*,
        case
            when not category_scores.is_insufficient_data
                then {{ round_half(weighted_mean_of_present(signals | list, '_score', '__weight'), 2) }}
        end as composite_score
    from category_scores
),

final as (
    select
        composite.account_id,
        composite.snapshot_date,
        composite.is_as_of_date,
        composite.segment,
        composite.csm_owner,
        composite.arr,
        composite.composite_score as weighted_score,
        composite.is_insufficient_data,
        composite.signal_coverage,
        {%- for input_name in inputs %}
            composite.has_{{ input_name }}_data,
        {%- endfor %}
        {%- for category in signals %}
            {{ round_half('composite.' ~ category ~ '_score', 2) }} as {{ category }}_score,
        {%- endfor %}
    {%- for _category, signal in all_signals %}
        composite.{{ signal }} as {{ signal }}_value,
        {{ round_half('composite.' ~ signal ~ '_score', 2) }} as {{ signal }}_score{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from composite
)

select * from final
