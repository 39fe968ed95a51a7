{#-
    The health score a CS team reads, per account and snapshot
    (docs/definitions.md#health-score-anchoring): the weighted composite of
    int_account_health_weighted mapped onto 0-100 so that each band boundary of seed health_bands
    sits at a share of the book's retained history (`anchor_retained_quantile`: at risk = below
    what 90% of retained accounts' snapshots scored). The mapping is piecewise linear through the
    anchors of int_health_score_anchors_computed, from (0, 0) to (100, 100), so it keeps the
    ranking of the weighted composite. Anchors come from the account's segment when its
    retained history has `health_anchor_min_retained_snapshots` snapshots, else from the whole
    book, else there are none yet and the score is the weighted composite itself (a young book).
-#}
{%- set signals = health_signal_names() -%}
{%- set inputs = health_input_names() -%}
{%- set all_signals = [] -%}
{%- for names in signals.values() -%}
    {%- for signal in names -%}{%- do all_signals.append(signal) -%}{%- endfor -%}
{%- endfor -%}

with

weighted as (
    select * from {{ ref('int_account_health_weighted') }}
),

anchors as (
    select * from {{ ref('int_health_score_anchors_computed') }}
),

bands as (
    select * from {{ ref('health_bands') }}
),

anchor_scopes as (
    -- per date and scope, whether the retained history is long enough to anchor on
    select distinct
        anchor_date,
        anchor_scope,
        retained_snapshots >= {{ var('health_anchor_min_retained_snapshots') }} as is_usable
    from anchors
),

chosen_scopes as (
    -- the segment's own anchors when usable, the book's otherwise
    select
        weighted.account_id,
        weighted.snapshot_date,
        case
            when segment_scope.is_usable then weighted.segment
            when book_scope.is_usable then 'book'
        end as anchor_scope
    from weighted
    left join anchor_scopes as segment_scope
        on weighted.snapshot_date = segment_scope.anchor_date
        and weighted.segment = segment_scope.anchor_scope
    left join anchor_scopes as book_scope
        on weighted.snapshot_date = book_scope.anchor_date
        and book_scope.anchor_scope = 'book'
),

anchor_points as (
    -- the knots of the mapping, weighted composite -> score, with the two ends of the scale
    select
        anchor_date,
        anchor_scope,
        weighted_score_at_lower_score as from_score,
        lower_score as to_score
    from anchors
    union all
    select distinct
        anchor_date,
        anchor_scope,
        0.0 as from_score,
        0.0 as to_score
    from anchors
    union all
    select distinct
        anchor_date,
        anchor_scope,
        100.0 as from_score,
        100.0 as to_score
    from anchors
),

anchor_segments as (
    -- consecutive knots as line segments [from_low, from_high)
    select
        anchor_date,
        anchor_scope,
        from_score as from_low,
        to_score as to_low,
        lead(from_score) over (partition by anchor_date, anchor_scope order by to_score) as from_high,
        lead(to_score) over (partition by anchor_date, anchor_scope order by to_score) as to_high
    from anchor_points
),

mapped as (
    select
        weighted.account_id,
        weighted.snapshot_date,
        chosen_scopes.anchor_scope,
        case
            when weighted.weighted_score is null then null
            when chosen_scopes.anchor_scope is null then weighted.weighted_score
            when anchor_segments.from_high > anchor_segments.from_low
                then anchor_segments.to_low
                    + (weighted.weighted_score - anchor_segments.from_low)
                    * (anchor_segments.to_high - anchor_segments.to_low)
                    / (anchor_segments.from_high - anchor_segments.from_low)
            else anchor_segments.to_high
        end as mapped_score
    from weighted
    inner join chosen_scopes
        on weighted.account_id = chosen_scopes.account_id
        and weighted.snapshot_date = chosen_scopes.snapshot_date
    left join anchor_segments
        on weighted.snapshot_date = anchor_segments.anchor_date
        and chosen_scopes.anchor_scope = anchor_segments.anchor_scope
        and anchor_segments.from_high is not null
        and weighted.weighted_score >= anchor_segments.from_low
        and (
            weighted.weighted_score < anchor_segments.from_high
            or (anchor_segments.to_high = 100 and weighted.weighted_score <= anchor_segments.from_high)
        )
),

scored as (
    select
        weighted.*,
        mapped.anchor_scope,
        {{ round_half('mapped.mapped_score', 2) }} as composite_score
    from weighted
    inner join mapped
        on weighted.account_id = mapped.account_id
        and weighted.snapshot_date = mapped.snapshot_date
),

final as (
    select
        scored.account_id,
        scored.snapshot_date,
        scored.is_as_of_date,
        scored.segment,
        scored.csm_owner,
        scored.arr,
        scored.composite_score,
        scored.weighted_score,
        coalesce(scored.anchor_scope, 'none') as anchor_scope,
        case when scored.is_insufficient_data then 'insufficient_data' else bands.band end
            as band,
        scored.signal_coverage,
        {%- for input_name in inputs %}
            scored.has_{{ input_name }}_data,
        {%- endfor %}
        {%- for category in signals %}
            scored.{{ category }}_score,
        {%- endfor %}
    {%- for signal in all_signals %}
        scored.{{ signal }}_value,
        scored.{{ signal }}_score{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from scored
    left join bands
        on scored.composite_score >= bands.lower_score
        and (bands.upper_score is null or scored.composite_score < bands.upper_score)
)

select * from final
