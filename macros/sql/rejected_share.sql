{#-
    The rejected share of a raw table: distinct rejected rows / raw rows (raw rows count every
    collapsed duplicate), 0 for an empty table. audit_row_reconciliation and the test
    rejected_share_within_limit both use it, so the build's limit and the audit trail agree
    (docs/definitions.md#bad-input).
-#}
{% macro rejected_share(rejected_rows, raw_rows) -%}
    cast(
        case
            when {{ raw_rows }} > 0
                then 1.0 * {{ rejected_rows }} / {{ raw_rows }}
            else 0
        end as {{ double_type() }}
    )
{%- endmacro %}
