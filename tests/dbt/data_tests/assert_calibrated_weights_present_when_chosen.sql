-- With the var health_weights = calibrated, every signal and category needs a calibrated weight
-- (run `make calibrate` to write seeds/health_weights_calibrated.csv); otherwise the score would
-- silently drop the signals that lack one.
{%- set signals = health_signal_names() %}
{% if var('health_weights') == 'calibrated' %}
with

expected as (
    {% for category, names in signals.items() -%}
    select 'category' as level, '{{ category }}' as name
    union all
    {% for signal in names -%}
    select 'signal' as level, '{{ signal }}' as name
    {% if not (loop.last and category == (signals | list | last)) %}union all
    {% endif -%}
    {%- endfor %}
    {%- endfor %}
)

select expected.level, expected.name
from expected
left join {{ ref('health_weights_calibrated') }} as calibrated
    on expected.level = calibrated.level
    and expected.name = calibrated.name
where calibrated.weight is null
{% else %}
-- prior weights are in use: nothing to check
    select 1 as nothing_to_check
    where false
{% endif %}
