{#-
    `value` rounded to `digits` decimal places, half away from zero, as a double. Through an
    exact decimal first: Postgres has round(numeric, int) only (no round(double precision, int)),
    and rounding the decimal, not the binary float, rounds 2.675 to 2.68 on every warehouse
    (a float's round() sees 2.67499999...). Ten places keep every figure this project rounds
    (scores 0-100, shares 0-1, amounts) exact to far below the rounding step.
-#}
{% macro round_half(value, digits) -%}
    cast(round(cast({{ value }} as decimal(38, 10)), {{ digits }}) as {{ double_type() }})
{%- endmacro %}
