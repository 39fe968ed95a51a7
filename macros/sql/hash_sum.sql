{#-
    An order-independent fingerprint of a set of rows, as text, for one grouped pass: equal sets
    of rows (with their multiplicity) give equal text, and a changed, added or dropped row
    changes it. DuckDB sums the 64-bit hash of each row (exactly, in a 128-bit integer);
    Postgres the first 60 bits of each row's md5 (a bigint, summed exactly as numeric); Spark the
    64-bit xxhash64 of each row (summed as decimal(38, 0)). Any other adapter: the count of
    distinct row md5s and the smallest and largest of them, a weaker fingerprint (a changed row
    that is neither the smallest nor the largest goes unnoticed when the counts stay equal)
    until it gets its own version here.
-#}
{% macro hash_sum(columns) %}
    {{ return(adapter.dispatch('hash_sum', 'nrr_engine')(columns)) }}
{% endmacro %}

{% macro default__hash_sum(columns) -%}
    {%- set row_hash = row_fingerprint(columns) -%}
    {{ dbt.concat([
        "coalesce(cast(count(distinct " ~ row_hash ~ ") as " ~ dbt.type_string() ~ "), '')",
        "':'",
        "coalesce(min(" ~ row_hash ~ "), '')",
        "':'",
        "coalesce(max(" ~ row_hash ~ "), '')",
    ]) }}
{%- endmacro %}

{% macro duckdb__hash_sum(columns) -%}
    coalesce(cast(sum(cast(hash({{ columns | join(', ') }}) as hugeint)) as varchar), '0')
{%- endmacro %}

{% macro postgres__hash_sum(columns) -%}
    coalesce(cast(sum(('x' || substr({{ row_fingerprint(columns) }}, 1, 15))::bit(60)::bigint) as text), '0')
{%- endmacro %}

{% macro spark__hash_sum(columns) -%}
    coalesce(cast(sum(cast(xxhash64({{ columns | join(', ') }}) as decimal(38, 0))) as string), '0')
{%- endmacro %}
