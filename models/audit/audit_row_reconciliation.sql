{#-
    Row counts per raw table, each counted independently, so that the identity
    raw_rows = accepted_rows + rejected_rows + duplicates_collapsed is a real check that no row
    was lost or invented between the raw files and staging. rejected_share is defined by the
    macro rejected_share, as in the test that stops the build (rejected_share_within_limit on
    each staging model), and max_rejected_share is that test's limit for the table.
-#}
with

{% for table in raw_table_names() %}
    {{ table }}_counts as (
        select
            '{{ table }}' as source_table,
            (select count(*) from {{ raw_input(table) }}) as raw_rows,
            (
                select coalesce(sum(duplicate_count - 1), 0)
                from {{ ref('base_raw__' ~ table) }}
            ) as duplicates_collapsed,
            (select count(*) from {{ ref('stg_raw__' ~ table) }}) as accepted_rows,
            (
                select count(*) from {{ ref('audit_rejected_rows') }}
                where source_table = '{{ table }}'
            ) as rejected_rows
    ),
{% endfor %}

unioned as (
    {% for table in raw_table_names() -%}
        select * from {{ table }}_counts
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

final as (
    select
        source_table,
        cast(raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        cast(accepted_rows as {{ dbt.type_bigint() }}) as accepted_rows,
        cast(rejected_rows as {{ dbt.type_bigint() }}) as rejected_rows,
        cast(duplicates_collapsed as {{ dbt.type_bigint() }}) as duplicates_collapsed,
        {{ rejected_share('rejected_rows', 'raw_rows') }} as rejected_share,
        cast(
            case source_table
                {%- for table in raw_table_names() %}
                    when '{{ table }}' then {{ max_rejected_share_for(table) }}
                {%- endfor %}
            end as {{ double_type() }}
        ) as max_rejected_share
    from unioned
)

select * from final
