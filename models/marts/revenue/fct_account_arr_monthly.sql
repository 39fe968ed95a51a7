with

classified as (
    select * from {{ ref('int_account_arr_classified') }}
),

final as (
    select
        account_id,
        month,
        arr,
        previous_arr,
        movement_type,
        movement_arr
    from classified
)

select * from final
