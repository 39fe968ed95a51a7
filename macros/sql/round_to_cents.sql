{#-
    `amount` (a double) rounded to cents as docs/definitions.md#month-snapshot says: first to a
    millionth of a dollar, which removes binary floating-point noise (100.005 is stored as
    100.00499999...), then to cents, half away from zero, on an exact decimal. `round()` on a
    double would round the noise instead and book 100.005 as 100.00.
-#}
{% macro round_to_cents(amount) -%}
    cast(round(cast({{ amount }} as decimal(38, 6)), 2) as {{ arr_type() }})
{%- endmacro %}
