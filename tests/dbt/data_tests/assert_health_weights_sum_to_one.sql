-- The signal weights of each category, and the category weights, each sum to 1.
with

signal_weights as (
    select
        category as weight_level,
        sum(weight) as total_weight
    from {{ ref('health_signals') }}
    group by category
),

category_weights as (
    select
        'categories' as weight_level,
        sum(weight) as total_weight
    from {{ ref('health_category_weights') }}
),

final as (
    select * from signal_weights
    union all
    select * from category_weights
)

select * from final
where abs(total_weight - 1) > 1e-9
