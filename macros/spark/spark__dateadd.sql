{#-
    dbt.dateadd on Spark through timestampadd, with the interval in parentheses. dbt-spark's
    variant multiplies the interval unparenthesised (`<interval> * 7` for weeks), so an
    expression interval such as dbt.date_spine's `row_number() over (...) - 1` became
    `row_number() - 7`: the week spine started on 1969-12-30 and stepped by days, and every
    health snapshot but the as_of_date one was lost. The result is a timestamp, as dbt-spark's
    (and DuckDB's date + interval). Overrides dbt-spark's macro of the same name (root-project
    macros take precedence in the `dbt` namespace).
-#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) %}
    {%- set units = {
        'day': 'DAY', 'week': 'WEEK', 'month': 'MONTH', 'quarter': 'QUARTER', 'year': 'YEAR',
        'hour': 'HOUR', 'minute': 'MINUTE', 'second': 'SECOND',
        'millisecond': 'MILLISECOND', 'microsecond': 'MICROSECOND',
    } -%}
    {%- if datepart | lower not in units -%}
        {{ exceptions.raise_compiler_error("dateadd: unsupported datepart '" ~ datepart ~ "' on Spark") }}
    {%- endif -%}
    timestampadd({{ units[datepart | lower] }}, cast(({{ interval }}) as bigint), cast({{ from_date_or_timestamp }} as timestamp))
{% endmacro %}
