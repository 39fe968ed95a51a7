{#-
    Community membership against churn (docs/definitions.md#community): per comparison (`all`:
    any community activity; then each element of seed community_elements) the monthly snapshots
    of members (activity of that element in the member window) against non-members (no
    community activity at all), and the share of each that churned (logo) in the outcome window.
    The raw risk ratio with its Katz interval, and the Mantel-Haenszel risk ratio over the strata
    segment x tenure band x health stratum with the Greenland-Robins interval; beside them the
    claim of the playbook (var community_claimed_risk_ratio) and a claim_check. Snapshots of one
    account are not independent: the intervals treat them as if they were (definitions#community).
-#}
{%- set z = var('community_interval_z') -%}
{%- set claim = var('community_claimed_risk_ratio') -%}
{%- set min_churns = var('community_min_churns_per_group') -%}
{%- set min_snapshots = var('community_min_snapshots_per_group') -%}

with

snapshots as (
    select * from {{ ref('int_community_snapshots_flagged') }}
),

element_activity as (
    select * from {{ ref('int_community_snapshot_elements_listed') }}
),

elements as (
    select distinct element from {{ ref('community_elements') }}
),

comparisons as (
    select 'all' as element
    union all
    select element from elements
),

exposed as (
    -- members: any activity (all) or activity of the element
    select
        'all' as element,
        account_id,
        snapshot_date
    from snapshots
    where is_member
    union all
    select
        element,
        account_id,
        snapshot_date
    from element_activity
),

classified as (
    -- every comparison sees the members of its element and all non-members
    select
        comparisons.element,
        snapshots.segment,
        snapshots.tenure_band,
        snapshots.health_stratum,
        snapshots.is_churned,
        case when exposed.account_id is not null then 1 else 0 end as is_exposed
    from snapshots
    cross join comparisons
    left join exposed
        on comparisons.element = exposed.element
        and snapshots.account_id = exposed.account_id
        and snapshots.snapshot_date = exposed.snapshot_date
    where exposed.account_id is not null or not snapshots.is_member
),

strata as (
    select
        element,
        segment,
        tenure_band,
        health_stratum,
        1.0 * sum(is_exposed * is_churned) as a,
        1.0 * sum(is_exposed) as n1,
        1.0 * sum((1 - is_exposed) * is_churned) as c,
        1.0 * sum(1 - is_exposed) as n0,
        1.0 * count(*) as n
    from classified
    group by element, segment, tenure_band, health_stratum
),

mantel_haenszel as (
    -- R = sum a n0 / n, S = sum c n1 / n; Greenland-Robins variance of ln(R / S):
    -- sum (n1 n0 (a + c) - a c n) / n^2 / (R S)
    select
        element,
        sum(a) as member_churns,
        sum(n1) as member_snapshots,
        sum(c) as non_member_churns,
        sum(n0) as non_member_snapshots,
        sum(case when n1 > 0 and n0 > 0 then 1 else 0 end) as informative_strata,
        count(*) as strata,
        sum(a * n0 / n) as mh_r,
        sum(c * n1 / n) as mh_s,
        sum((n1 * n0 * (a + c) - a * c * n) / (n * n)) as mh_p
    from strata
    group by element
),

estimated as (
    select
        mantel_haenszel.*,
        case when mantel_haenszel.mh_r > 0 and mantel_haenszel.mh_s > 0 then mantel_haenszel.mh_r / mantel_haenszel.mh_s end as mh_rr,
        case when mantel_haenszel.mh_r > 0 and mantel_haenszel.mh_s > 0 then sqrt(mantel_haenszel.mh_p / (mantel_haenszel.mh_r * mantel_haenszel.mh_s)) end as mh_se,
        (
            mantel_haenszel.member_churns >= {{ min_churns }}
            and mantel_haenszel.non_member_churns >= {{ min_churns }}
            and mantel_haenszel.member_snapshots >= {{ min_snapshots }}
            and mantel_haenszel.non_member_snapshots >= {{ min_snapshots }}
        ) as has_enough_data
    from mantel_haenszel
),

bounded as (
    select
        estimated.*,
        {{ safe_ratio('member_churns', 'member_snapshots') }} as member_churn_rate,
        {{ safe_ratio('non_member_churns', 'non_member_snapshots') }} as non_member_churn_rate,
        case when estimated.member_churns > 0 and estimated.non_member_churns > 0
                then (estimated.member_churns / estimated.member_snapshots) / (estimated.non_member_churns / estimated.non_member_snapshots)
        end as raw_rr,
        {{ risk_ratio_bound('member_churns', 'member_snapshots', 'non_member_churns',
            'non_member_snapshots', z, -1) }} as raw_rr_lower,
        {{ risk_ratio_bound('member_churns', 'member_snapshots', 'non_member_churns',
            'non_member_snapshots', z, 1) }} as raw_rr_upper,
        exp(ln(estimated.mh_rr) - {{ z }} * estimated.mh_se) as mh_rr_lower,
        exp(ln(estimated.mh_rr) + {{ z }} * estimated.mh_se) as mh_rr_upper
    from estimated
),

final as (
    select
        element,
        cast(member_snapshots as {{ dbt.type_bigint() }}) as member_snapshots,
        cast(member_churns as {{ dbt.type_bigint() }}) as member_churns,
        cast(non_member_snapshots as {{ dbt.type_bigint() }}) as non_member_snapshots,
        cast(non_member_churns as {{ dbt.type_bigint() }}) as non_member_churns,
        {{ round_half('member_churn_rate', 6) }} as member_churn_rate,
        {{ round_half('non_member_churn_rate', 6) }} as non_member_churn_rate,
        {{ round_half('raw_rr', 4) }} as raw_risk_ratio,
        {{ round_half('raw_rr_lower', 4) }} as raw_risk_ratio_lower,
        {{ round_half('raw_rr_upper', 4) }} as raw_risk_ratio_upper,
        {{ round_half('mh_rr', 4) }} as adjusted_risk_ratio,
        {{ round_half('mh_rr_lower', 4) }} as adjusted_risk_ratio_lower,
        {{ round_half('mh_rr_upper', 4) }} as adjusted_risk_ratio_upper,
        cast(strata as {{ dbt.type_bigint() }}) as strata,
        cast(informative_strata as {{ dbt.type_bigint() }}) as informative_strata,
        cast({{ claim[0] }} as {{ double_type() }}) as claimed_risk_ratio_low,
        cast({{ claim[1] }} as {{ double_type() }}) as claimed_risk_ratio_high,
        case
            when not has_enough_data or mh_rr is null then 'insufficient_data'
            when mh_rr_upper >= 1 then 'not_significant'
            when mh_rr_lower > {{ claim[1] }} then 'weaker_than_claimed'
            when mh_rr_upper < {{ claim[0] }} then 'stronger_than_claimed'
            else 'consistent'
        end as claim_check
    from bounded
)

select * from final
