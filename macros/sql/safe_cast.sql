{#-
    Cast that yields null instead of failing when a value does not convert, so that staging can
    quarantine the row with a reason. DuckDB, Spark and Snowflake have `try_cast`; the default
    falls back to a plain cast, which fails loudly rather than silently. Postgres has no
    try_cast: it checks the trimmed text against the shape DuckDB's cast accepts for each type
    (and the calendar, the range of the integer types) and casts only what passes, so a bad
    value is null there too (tests/python/warehouses/test_postgres.py runs the bad-input cases).
-#}
{% macro safe_cast(expression, data_type) %}
    {{ return(adapter.dispatch('safe_cast', 'nrr_engine')(expression, data_type)) }}
{% endmacro %}

{% macro default__safe_cast(expression, data_type) -%}
    cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro duckdb__safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro postgres__safe_cast(expression, data_type) -%}
    {%- set kind = data_type | lower | trim -%}
    {%- set value = "trim(cast(" ~ expression ~ " as text))" -%}
    {%- set integer_ranges = {
        'smallint': 32767, 'int2': 32767,
        'integer': 2147483647, 'int': 2147483647, 'int4': 2147483647,
        'bigint': 9223372036854775807, 'int8': 9223372036854775807,
    } -%}
    {%- set number = "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$" -%}
    {#- dates as DuckDB reads them: year-month-day, one or two digits each, anything after the
        day only as a clock time (ignored for a date) -#}
    {%- set ymd = "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}" -%}
    {%- set clock = "([ T]([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?)" -%}
    {%- set offset = "([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)" -%}
    {%- set year = "cast(split_part(" ~ value ~ ", '-', 1) as integer)" -%}
    {%- set month = "cast(split_part(" ~ value ~ ", '-', 2) as integer)" -%}
    {%- set day = "cast(substring(split_part(" ~ value ~ ", '-', 3) from '^[0-9]{1,2}') as integer)" -%}
    {#- a real calendar day: the month 1-12 and the day within it (the regex checked the shape) -#}
    {%- set calendar_day -%}
        case when {{ month }} between 1 and 12 then
            {{ day }} between 1 and extract(day from
                make_date({{ year }}, {{ month }}, 1) + interval '1 month' - interval '1 day')
        else false end
    {%- endset -%}
    {%- if kind in integer_ranges -%}
        {#- as DuckDB: a decimal text is rounded to the nearest integer (5.5 -> 6) -#}
        case when {{ value }} ~ '{{ number }}' then
            case when abs(round(cast({{ value }} as numeric))) <= {{ integer_ranges[kind] }}
                then cast(round(cast({{ value }} as numeric)) as {{ data_type }}) end
        end
    {%- elif kind.startswith('numeric') or kind.startswith('decimal') or kind in ('double precision', 'float8', 'real', 'float4', 'float') -%}
        {%- set digits = modules.re.findall('[0-9]+', kind) -%}
        case when {{ value }} ~ '{{ number }}' then
            {%- if digits | length == 2 %}
            case when abs(cast({{ value }} as numeric)) < 1e{{ digits[0] | int - digits[1] | int }}
                then cast({{ value }} as {{ data_type }}) end
            {%- else %}
            cast({{ value }} as {{ data_type }})
            {%- endif %}
        end
    {%- elif kind in ('boolean', 'bool') -%}
        case when lower({{ value }}) in ('true', 'false', 't', 'f', '1', '0', 'yes', 'no', 'y', 'n')
            then cast(lower({{ value }}) as boolean) end
    {%- elif kind == 'date' or kind.startswith('timestamp') -%}
        {#- an offset is accepted and, for a timestamp without time zone, ignored (the clock
            time is kept), as DuckDB's cast does -#}
        case when {{ value }} ~ '{{ ymd }}({{ clock }} ?{{ offset }}?)?$' then
            case when {{ calendar_day }} then cast({{ value }} as {{ data_type }}) end
        end
    {%- else -%}
        cast({{ expression }} as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
