{#-
    Renewal forecast (docs/definitions.md#renewal-risk): every renewal checked at each
    checkpoint of the seed `renewal_red_flags`, its red flags, rating, stakeholder map and
    outcome. The rating is built in int_renewal_checkpoints_rated, which the intervention
    episodes read as well (an intermediate model reads no mart); this mart publishes it.
-#}
with

rated as (
    select * from {{ ref('int_renewal_checkpoints_rated') }}
),

final as (
    select
        account_id,
        renewal_date,
        days_out,
        checkpoint_date,
        renewing_arr,
        health_snapshot_date,
        composite_score,
        band,
        health_signal_coverage,
        has_low_usage,
        has_no_active_champion,
        has_payment_trouble,
        has_competitor_signals,
        has_no_executive_touch,
        red_flags,
        risk_rating,
        active_champions,
        active_executive_sponsors,
        active_end_users,
        outcome,
        arr_before_renewal,
        arr_after_renewal
    from rated
)

select * from final
