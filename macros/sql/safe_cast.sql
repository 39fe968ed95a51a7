{#-
    Cast that yields null instead of failing when a value does not convert, so that staging can
    quarantine the row with a reason. DuckDB, Spark and Snowflake have `try_cast`; the default
    falls back to a plain cast, which fails loudly rather than silently. Postgres has no
    try_cast: it checks the trimmed text against the shape each type accepts (and the calendar,
    the range of the integer types) and casts only what passes, so a bad value is null there
    too (tests/python/warehouses/test_postgres.py runs the bad-input cases).
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
    {%- set ymd = "^[0-9]{4}-[0-9]{2}-[0-9]{2}" -%}
    {#- a real calendar day: the month 1-12 and the day within it (the regex checked the shape) -#}
    {%- set calendar_day -%}
        case when cast(substr({{ value }}, 6, 2) as integer) between 1 and 12 then
            cast(substr({{ value }}, 9, 2) as integer) between 1 and extract(day from
                make_date(cast(substr({{ value }}, 1, 4) as integer), cast(substr({{ value }}, 6, 2) as integer), 1)
                + interval '1 month' - interval '1 day')
        else false end
    {%- endset -%}
    {%- if kind in integer_ranges -%}
        case when {{ value }} ~ '^[+-]?[0-9]{1,19}$' then
            case when abs(cast({{ value }} as numeric)) <= {{ integer_ranges[kind] }}
                then cast({{ value }} as {{ data_type }}) end
        end
    {%- elif kind.startswith('numeric') or kind.startswith('decimal') or kind in ('double precision', 'float8', 'real', 'float4', 'float') -%}
        {%- set digits = modules.re.findall('[0-9]+', kind) -%}
        case when {{ value }} ~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$' then
            {%- if digits | length == 2 %}
            case when abs(cast({{ value }} as numeric)) < 1e{{ digits[0] | int - digits[1] | int }}
                then cast({{ value }} as {{ data_type }}) end
            {%- else %}
            cast({{ value }} as {{ data_type }})
            {%- endif %}
        end
    {%- elif kind in ('boolean', 'bool') -%}
        case when lower({{ value }}) in ('true', 'false', 't', 'f', '1', '0')
            then cast(lower({{ value }}) as boolean) end
    {%- elif kind == 'date' -%}
        case when {{ value }} ~ '{{ ymd }}$' then
            case when {{ calendar_day }} then cast({{ value }} as date) end
        end
    {%- elif kind.startswith('timestamp') -%}
        {%- set zoned = 'tz' in kind or 'with time zone' in kind -%}
        {%- set clock = "([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?)" -%}
        {%- set offset = "([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)" -%}
        case when {{ value }} ~ '{{ ymd }}({{ clock }} ?{{ offset }}?)?$' then
            {#- an offset is a moment: converted to UTC, as DuckDB reads it #}
            case when {{ calendar_day }} then
                case
                    when {{ value }} ~ '{{ clock }} ?{{ offset }}$'
                        then {{ "cast(" ~ value ~ " as timestamptz)" if zoned
                            else "cast(cast(" ~ value ~ " as timestamptz) at time zone 'UTC' as " ~ data_type ~ ")" }}
                    else cast({{ value }} as {{ data_type }})
                end
            end
        end
    {%- else -%}
        cast({{ expression }} as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
