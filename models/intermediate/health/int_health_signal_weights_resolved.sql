{#-
    The weights the health score is computed with, one row per signal
    (docs/definitions.md#health-scores): the seed's priors (health_signals,
    health_category_weights), or with the var health_weights = calibrated the adopted calibrated
    weights (health_weights_calibrated); the scoring range stays the prior's. Read by the scoring
    and by the alerts' "what changed", so both weigh the signals alike.
-#}
-- depends_on: {{ ref('health_weights_calibrated') }} (read with health_weights = calibrated)
with

prior_signals as (
    select * from {{ ref('health_signals') }}
),

{% if var('health_weights') == 'calibrated' -%}
calibrated_weights as (
    select * from {{ ref('health_weights_calibrated') }}
),

resolved as (
    select
        prior_signals.signal_name,
        prior_signals.category,
        prior_signals.worst_value,
        prior_signals.best_value,
        signal_weight.weight as signal_weight,
        category_weight.weight as category_weight
    from prior_signals
    inner join calibrated_weights as signal_weight
        on
            signal_weight.level = 'signal'
            and prior_signals.signal_name = signal_weight.name
    inner join calibrated_weights as category_weight
        on
            category_weight.level = 'category'
            and prior_signals.category = category_weight.name
),
{%- elif var('health_weights') == 'prior' -%}
    prior_categories as (
        select * from {{ ref('health_category_weights') }}
    ),

    resolved as (
        select
            prior_signals.signal_name,
            prior_signals.category,
            prior_signals.worst_value,
            prior_signals.best_value,
            prior_signals.weight as signal_weight,
            prior_categories.weight as category_weight
        from prior_signals
        inner join prior_categories
            on prior_signals.category = prior_categories.category
    ),
{%- else -%}
{{ exceptions.raise_compiler_error(
    "var health_weights must be 'prior' or 'calibrated', not '" ~ var('health_weights') ~ "'") }}
{%- endif %}

final as (
    select
        signal_name,
        category,
        worst_value,
        best_value,
        signal_weight,
        category_weight,
        signal_weight * category_weight as composite_weight
    from resolved
)

select * from final
