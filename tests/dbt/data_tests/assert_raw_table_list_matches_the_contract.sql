-- The list of raw tables the audit models loop over (macros/raw/raw_table_names.sql) names
-- exactly the tables of the raw source: a table added to the contract cannot miss its audit.
{%- set listed = raw_table_names() -%}
{%- set declared = [] -%}
{%- if execute -%}
    {%- for node in graph.sources.values()
            if node.source_name == 'raw' and node.package_name == project_name -%}
        {%- do declared.append(node.name) -%}
    {%- endfor -%}
{%- endif %}
with

mismatches as (
    {% for table in (listed + declared) | unique -%}
        select
            '{{ table }}' as table_name,
            {{ 'true' if table in listed else 'false' }} as is_listed,
            {{ 'true' if table in declared else 'false' }} as is_declared
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
)

select * from mismatches
where is_listed <> is_declared
