{#-
    Seed rows on Spark, as literals instead of dbt-spark's bindings. dbt-spark's session method
    substitutes each binding as '<value>' without escaping: a seed text with an apostrophe
    breaks the insert, and an empty cell (None) is loaded as the text 'None' instead of null.
    Here an empty cell is null and every other value is a Spark string literal (backslash and
    quote escaped) cast to the column's type, in batches of dbt's seed batch size.
    Overrides dbt-spark's macro of the same name (root-project macros take precedence in the
    `dbt` namespace).
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set values = [] -%}
        {%- for row in chunk -%}
            {%- set cells = [] -%}
            {%- for value in row -%}
                {%- if value is none -%}
                    {%- do cells.append('cast(null as ' ~ types[loop.index0] ~ ')') -%}
                {%- else -%}
                    {%- set text = (value | string) if value is not boolean else (value | string | lower) -%}
                    {%- do cells.append(
                        "cast('" ~ text.replace('\\', '\\\\').replace("'", "\\'") ~ "' as "
                        ~ types[loop.index0] ~ ")") -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do values.append('(' ~ cells | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values\n' ~ values | join(',\n') -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}
