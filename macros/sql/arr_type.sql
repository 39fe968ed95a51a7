{#-
    Column type of ARR amounts: an exact decimal with cents (ANSI, so every warehouse has it).
    Sums and comparisons are exact, so floating-point noise never creates a movement.
-#}
{% macro arr_type() -%}
    decimal(18, 2)
{%- endmacro %}
