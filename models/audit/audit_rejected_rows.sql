{#- Every raw row that broke the contract, with the reason. Nothing here reaches a mart. -#}
with

{% for table in raw_table_names() %}
    {{ table }}_rejected as (
        select
            '{{ table }}' as source_table,
            {{ raw_record_id(table) }} as record_id,
            rejection_reason as reason,
            raw_row,
            duplicate_count
        from {{ ref('base_raw__' ~ table) }}
        where rejection_reason is not null
    ),
{% endfor %}

unioned as (
    {% for table in raw_table_names() -%}
        select * from {{ table }}_rejected
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

final as (
    select
        source_table,
        record_id,
        reason,
        raw_row,
        cast(duplicate_count as {{ dbt.type_bigint() }}) as duplicate_count
    from unioned
)

select * from final
