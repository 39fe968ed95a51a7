{#-
    Signal, category and composite health scores per account and snapshot
    (docs/definitions.md#health-scores). Each signal maps to 0-100 on a straight line between the
    seed's worst and best values; a category is the weighted mean of its present signals, the
    composite the weighted mean of its present categories. A missing signal's weight is shared
    among the present signals of its category; a category with no signal shares its weight among
    the other categories.
-#}
{%- set signals = health_signal_names() -%}
{%- set all_signals = [] -%}
{%- for category, names in signals.items() -%}
    {%- for signal in names -%}{%- do all_signals.append((category, signal)) -%}{%- endfor -%}
{%- endfor -%}

-- depends_on: {{ ref('health_weights_calibrated') }} (read with health_weights = calibrated)
with

snapshots as (
    select * from {{ ref('int_account_snapshots_listed') }}
),

{% for category in signals %}
    {{ category }} as (
        select * from {{ ref('int_health_' ~ category ~ '_measured') }}
    ),
{% endfor %}

{% if var('health_weights') == 'calibrated' -%}
prior_signals as (
    select * from {{ ref('health_signals') }}
),

calibrated_weights as (
    select * from {{ ref('health_weights_calibrated') }}
),

signal_parameters as (
    -- the var health_weights = calibrated: learned weights replace the priors, ranges stay
    select
        prior_signals.signal_name,
        prior_signals.category,
        prior_signals.worst_value,
        prior_signals.best_value,
        calibrated_weights.weight
    from prior_signals
    inner join calibrated_weights
        on
            calibrated_weights.level = 'signal'
            and prior_signals.signal_name = calibrated_weights.name
),

category_weights as (
    select
        calibrated_weights.name as category,
        calibrated_weights.weight
    from calibrated_weights
    where calibrated_weights.level = 'category'
),
{%- elif var('health_weights') == 'prior' -%}
    signal_parameters as (
        select * from {{ ref('health_signals') }}
    ),

    category_weights as (
        select * from {{ ref('health_category_weights') }}
    ),
{%- else -%}
{{ exceptions.raise_compiler_error(
    "var health_weights must be 'prior' or 'calibrated', not '" ~ var('health_weights') ~ "'") }}
{%- endif %}

bands as (
    select * from {{ ref('health_bands') }}
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
    {%- for category, signal in all_signals %}
        cast({{ category }}.{{ signal }} as {{ double_type() }}) as {{ signal }}{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from snapshots
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
        parameters.*
    from measured
    cross join parameters
),

category_scores as (
    select
        signal_scores.*,
    {%- for category, names in signals.items() %}
        {{ weighted_mean_of_present(names, '_score', '__weight') }}
            as {{ category }}_score{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from signal_scores
),

composite as (
    select
        category_scores.*,
        round({{ weighted_mean_of_present(signals | list, '_score', '__weight') }}, 2)
            as composite_score
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
        composite.composite_score,
        bands.band,
        {%- for category in signals %}
            round(composite.{{ category }}_score, 2) as {{ category }}_score,
        {%- endfor %}
    {%- for _category, signal in all_signals %}
        composite.{{ signal }} as {{ signal }}_value,
        round(composite.{{ signal }}_score, 2) as {{ signal }}_score{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from composite
    left join bands
        on composite.composite_score >= bands.lower_score
        and (bands.upper_score is null or composite.composite_score < bands.upper_score)
)

select * from final
