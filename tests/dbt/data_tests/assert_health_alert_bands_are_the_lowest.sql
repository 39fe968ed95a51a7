-- The alerts (docs/definitions.md#health-alerts) raise an alert in the bands of seed
-- health_bands with an alert_rank and call an account recovered in a band above all of them, so
-- the bands with a rank must be the lowest scored bands, with no rankless band between them; and
-- a sharp drop (var health_alert_sharp_drop_rank) must not share a rank with a band, or neither
-- would supersede the other. Returns each band that breaks this.
with

scored_bands as (
    select
        band,
        band_order,
        alert_rank
    from {{ ref('health_bands') }}
    where band_order is not null
),

edge as (
    select max(case when alert_rank is not null then band_order end) as alerting_edge_order
    from scored_bands
)

select
    scored_bands.band,
    scored_bands.band_order,
    scored_bands.alert_rank
from scored_bands
cross join edge
where
    (scored_bands.alert_rank is null and scored_bands.band_order < edge.alerting_edge_order)
    or scored_bands.alert_rank = {{ var('health_alert_sharp_drop_rank') }}
