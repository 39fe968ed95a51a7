-- Within each signal category, and across categories, the calibrated weights sum to 1 (when the
-- group has any protective coefficient): they can replace the seed's weights as they are.
select
    level,
    weight_group,
    sum(calibrated_weight) as total_weight
from {{ ref('fct_calibrated_health_weights') }}
where weight_group <> 'missing_indicator'
group by level, weight_group
having count(calibrated_weight) > 0
    and abs(sum(calibrated_weight) - 1) > 1e-9
