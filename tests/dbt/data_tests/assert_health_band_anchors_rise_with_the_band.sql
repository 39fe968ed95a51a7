-- The anchoring of the health score (docs/definitions.md#health-score-anchoring) maps the
-- weighted composite onto 0-100 through the bands' anchor quantiles; a higher band must sit at a
-- higher share of the retained history, or the mapping would fold back on itself.
with

anchored as (
    select
        band,
        band_order,
        anchor_retained_quantile,
        lag(anchor_retained_quantile) over (order by band_order) as lower_band_quantile
    from {{ ref('health_bands') }}
    where anchor_retained_quantile is not null
)

select
    band,
    anchor_retained_quantile,
    lower_band_quantile
from anchored
where lower_band_quantile is not null and anchor_retained_quantile <= lower_band_quantile
