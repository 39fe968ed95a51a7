{#-
    A number in [0, 1) from the md5 of a text expression: the first 4 hex digits of the md5 as an
    integer, divided by 65536, i.e. Python's int(hashlib.md5(text).hexdigest()[:4], 16) / 65536.
    Portable: dbt.hash (lower-case md5 hex), substr and dbt.position turn each hex digit into
    its value, with no warehouse-specific hex parsing. 65,536 steps are fine enough for a share
    of accounts or a bootstrap draw.
-#}
{% macro hash_uniform(text_expression) -%}
    {%- set digest = dbt.hash(text_expression) -%}
    (
        {%- for place in range(4) %}
        ({{ dbt.position('substr(' ~ digest ~ ', ' ~ (place + 1) ~ ', 1)', "'0123456789abcdef'") }} - 1)
            * {{ 16 ** (3 - place) }}{{ " +" if not loop.last }}
        {%- endfor %}
    ) / 65536.0
{%- endmacro %}
