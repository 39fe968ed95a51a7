{#-
    The body of a base staging model: read one raw table, collapse exact duplicates, cast each
    column to its contract type and name every way a row breaks the contract.

    Rules come from the source's YAML (`config.meta.contract` on columns; `primary_key`,
    `references_accounts`, `date_order` and `fx_currency` on the table), so each rule is written
    once, in `_raw__sources.yml`. Output: the typed contract columns, `duplicate_count` (raw rows
    collapsed into this one), `raw_row` (the row as text, values trimmed; on rejected rows
    only) and `rejection_reason` (null when the row is accepted; otherwise every broken rule,
    separated by `; `).

    Arguments:
      source_relation: `source('raw', '<table>')`, or raw_input('<table>') (the raw file or
        the billing source's mapping, with the same columns)
      accepted_accounts: `ref('stg_raw__accounts')` when the table references accounts
      accepted_fx_rates: `ref('stg_raw__fx_rates')` when the table has a currency to convert
      check_day_column: a timestamp column that makes the model incremental by day (the model
        must be `incremental`, incremental_by_day_config on `check_day`). The output gains `check_day`:
        the column's date, or 9999-12-31 when it is missing or does not cast. An incremental
        run re-checks only the raw rows from `usage_lookback_days` days before the latest day
        stored (and every row without a valid day); a re-checked row whose key was already
        stored from an earlier day is rejected, so a key is never accepted twice
        (docs/definitions.md#incremental-runs).
      table: the raw contract table whose rules apply; the relation's identifier by default
-#}
{% macro check_raw_contract(source_relation, accepted_accounts=none, accepted_fx_rates=none, check_day_column=none, table=none) %}
    {%- set table = table or source_relation.identifier -%}
    {%- set source_node = _raw_source_node(table) -%}
    {%- set table_meta = source_node.config.meta if source_node else {} -%}
    {%- set columns = source_node.columns.values() | list if source_node else [] -%}
    {%- set column_names = columns | map(attribute='name') | list -%}
    {#- without a declared key, a row is its own key: only exact duplicates collapse -#}
    {%- set key = table_meta.get('primary_key') or column_names -%}
    {%- set types = {} -%}
    {%- for column in columns -%}
        {%- do types.update({column.name: _contract(column).get('type', 'string')}) -%}
    {%- endfor -%}
    {%- set check_day = none -%}
    {%- set rechecks = false -%}
    {%- if check_day_column -%}
        {%- set check_day = _check_day(check_day_column) -%}
        {%- set rechecks = is_incremental() -%}
        {%- set first_day_rechecked = '(select first_day from recheck_window)' -%}
    {%- endif -%}
    {#- boolean columns as the warehouse stores them (a Parquet file, or a loaded table): Postgres
        has no min(boolean), so their min is taken over 0/1 -#}
    {%- set boolean_columns = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(source_relation)
                if column.data_type | lower in ('boolean', 'bool') -%}
            {%- do boolean_columns.append(column.name | lower) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set raw_texts = [] -%}
    {%- for name in column_names -%}
        {%- do raw_texts.append(name if types[name] == 'string' else name ~ '__raw') -%}
    {%- endfor -%}

with
{% if rechecks %}
recheck_window as (
    -- the first day an incremental run re-checks: `usage_lookback_days` before the latest stored
    select
        {{ dbt.dateadd('day', -var('usage_lookback_days'), 'max(cast(stored.' ~ check_day_column ~ ' as date))') }}
            as first_day
    from {{ this }} as stored
),
{% endif %}
keyed as (
    -- one pass over the raw table, grouped by its key (as cast): rows equal in every contract
    -- column collapse into one and are counted (min() of equal values is the value); a key
    -- whose rows differ is flagged by their fingerprints, and a second pass (below) reads only
    -- those rare keys
    select
        {% for name in column_names -%}
        {% if name in boolean_columns -%}
        min(case when {{ name }} then 1 when not {{ name }} then 0 end) = 1 as {{ name }},
        {% else -%}
        min({{ name }}) as {{ name }},
        {% endif -%}
        {% endfor -%}
        count(*) as duplicate_count,
        min({{ row_fingerprint(column_names) }}) <> max({{ row_fingerprint(column_names) }})
            as has_conflicting_rows
    from {{ source_relation }}
    {%- if rechecks %}
    where {{ check_day }} >= {{ first_day_rechecked }}
    {%- endif %}
    group by {% for name in key %}{{ _contract_typed(name, types[name]) }}{{ ", " if not loop.last }}{% endfor %}
),

conflicting_keys as (
    select
        {% for name in key -%}
        {{ _contract_typed(name, types[name]) }} as {{ name }}{{ "," if not loop.last }}
        {% endfor %}
    from keyed
    where has_conflicting_rows
),

conflicting_rows as (
    -- each distinct row under a conflicting key (all of them are rejected: no way to tell
    -- which is right), read again from the raw table: cheaper than carrying every row
    select
        {% for name in column_names -%}
        source_rows.{{ name }},
        {% endfor -%}
        count(*) as duplicate_count
    from {{ source_relation }} as source_rows
    inner join conflicting_keys
        on {% for name in key -%}
        {{ null_safe_equal(_contract_typed('source_rows.' ~ name, types[name]), 'conflicting_keys.' ~ name) }}
        {{- " and" if not loop.last }}
        {% endfor %}
    {%- if rechecks %}
    where {{ _check_day('source_rows.' ~ check_day_column) }} >= {{ first_day_rechecked }}
    {%- endif %}
    group by {% for name in column_names %}source_rows.{{ name }}{{ ", " if not loop.last }}{% endfor %}
),

collapsed as (
    select
        {% for name in column_names -%}
        {{ name }},
        {% endfor -%}
        duplicate_count,
        false as shares_key
    from keyed
    where not has_conflicting_rows
    union all
    select
        {% for name in column_names -%}
        {{ name }},
        {% endfor -%}
        duplicate_count,
        true as shares_key
    from conflicting_rows
),

typed as (
    select
        {% for column in columns -%}
        {{ _contract_typed(column.name, _contract(column).get('type', 'string')) }} as {{ column.name }},
        {% endfor -%}
        {%- for column in columns if _contract(column).get('type', 'string') != 'string' %}
        {{ _contract_typed(column.name, 'string') }} as {{ column.name }}__raw,
        {%- endfor %}
        duplicate_count,
        shares_key
    from collapsed
),

row_checked as (
    {#- every broken rule of a row, as text; concat_present skips the rules that hold -#}
    {%- set row_checks = [] %}
    {%- for column in columns %}
        {%- set contract = _contract(column) %}
        {%- set data_type = contract.get('type', 'string') %}
        {%- if data_type != 'string' %}
            {%- do row_checks.append(
                "case when " ~ column.name ~ " is null and " ~ column.name ~ "__raw is not null then '"
                ~ column.name ~ " does not cast to " ~ data_type ~ "' end") %}
        {%- endif %}
        {%- if not contract.get('nullable', false) %}
            {%- do row_checks.append(
                "case when " ~ column.name ~ " is null then '" ~ column.name ~ " is missing' end") %}
        {%- endif %}
        {%- if contract.get('values') %}
            {%- do row_checks.append(
                "case when " ~ column.name ~ " not in (" ~ _sql_literals(contract['values'])
                ~ ") then '" ~ column.name ~ " is not one of " ~ contract['values'] | join(', ') ~ "' end") %}
        {%- endif %}
        {%- if contract.get('min') is not none %}
            {%- do row_checks.append(
                "case when " ~ column.name ~ " < " ~ contract['min'] ~ " then '" ~ column.name
                ~ " is below " ~ contract['min'] ~ "' end") %}
        {%- endif %}
        {%- if contract.get('max') is not none %}
            {%- do row_checks.append(
                "case when " ~ column.name ~ " > " ~ contract['max'] ~ " then '" ~ column.name
                ~ " is above " ~ contract['max'] ~ "' end") %}
        {%- endif %}
        {%- if contract.get('exclusive_min') is not none %}
            {%- do row_checks.append(
                "case when " ~ column.name ~ " <= " ~ contract['exclusive_min'] ~ " then '"
                ~ column.name ~ " is not above " ~ contract['exclusive_min'] ~ "' end") %}
        {%- endif %}
    {%- endfor %}
    {%- for earlier, later, strictness in table_meta.get('date_order', []) %}
        {%- do row_checks.append(
            "case when " ~ later ~ (" <= " if strictness == 'strict' else " < ") ~ earlier
            ~ " then '" ~ later ~ " is not after " ~ earlier ~ "' end") %}
    {%- endfor %}
    select
        typed.*,
        {{ concat_present(row_checks) if row_checks else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
            as row_rejection_reason
    from typed
),

{%- set account_column = table_meta.get('references_accounts') %}
{%- set currency_column = table_meta.get('fx_currency') %}

related as (
    select
        row_checked.*,
        {% if account_column and accepted_accounts is not none -%}
        row_checked.{{ account_column }} is not null
        and accepted_accounts.account_id is null as has_unknown_account,
        {%- else -%}
        false as has_unknown_account,
        {%- endif %}
        {% if currency_column and accepted_fx_rates is not none -%}
        row_checked.{{ currency_column }} <> 'USD'
        and accepted_fx_rates.currency is null as has_unknown_currency,
        {%- else -%}
        false as has_unknown_currency,
        {%- endif %}
        {% if rechecks -%}
        stored_keys.{{ key[0] }} is not null as has_stored_key
        {%- else -%}
        false as has_stored_key
        {%- endif %}
    from row_checked
    {%- if account_column and accepted_accounts is not none %}
    left join {{ accepted_accounts }} as accepted_accounts
        on row_checked.{{ account_column }} = accepted_accounts.account_id
    {%- endif %}
    {%- if currency_column and accepted_fx_rates is not none %}
    left join {{ accepted_fx_rates }} as accepted_fx_rates
        on row_checked.{{ currency_column }} = accepted_fx_rates.currency
    {%- endif %}
    {%- if rechecks %}
    left join (
        select distinct {{ key | join(', ') }}
        from {{ this }}
        where check_day < {{ first_day_rechecked }} and rejection_reason is null
    ) as stored_keys
        on {% for name in key -%}
        row_checked.{{ name }} = stored_keys.{{ name }}{{ " and" if not loop.last }}
        {% endfor %}
    {%- endif %}
),

reasoned as (
    select
        related.*,
        {{ concat_present([
            "row_rejection_reason",
            "case when shares_key then 'conflicting rows share this " ~ key | join(', ') ~ "' end",
            "case when has_unknown_account then '" ~ account_column ~ " is not an accepted account' end",
            "case when has_stored_key then '" ~ key | join(', ') ~ " was already loaded from an earlier day' end",
            "case when has_unknown_currency then '" ~ currency_column ~ " has no rate in fx_rates' end",
        ]) }} as rejection_reason
    from related
),

final as (
    select
        {% for name in column_names -%}
        {{ name }},
        {% endfor -%}
        duplicate_count,
        -- the row as text only where the audit trail needs it: printing every accepted row of
        -- the largest tables costs more than the whole check
        case when rejection_reason is not null then {{ row_as_text(column_names, raw_texts) }} end
            as raw_row,
        rejection_reason{{ "," if check_day }}
        {% if check_day -%}
        {{ check_day }} as check_day
        {%- endif %}
    from reasoned
)

select * from final
{% endmacro %}


{#- The `raw` source node of a table, from the manifest (none while parsing). -#}
{% macro _raw_source_node(table) %}
    {%- if execute -%}
        {%- for node in graph.sources.values()
                if node.source_name == 'raw' and node.name == table
                and node.package_name == project_name -%}
            {{ return(node) }}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error("no table '" ~ table ~ "' in the raw source") }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{#- The contract of a column: `config.meta.contract`, or `meta.contract`. -#}
{% macro _contract(column) %}
    {%- set meta = column.config.meta if column.config and column.config.meta else column.meta -%}
    {{ return((meta or {}).get('contract', {})) }}
{% endmacro %}


{#- A raw value cast to its contract type; text is trimmed and empty text is null. -#}
{% macro _contract_typed(column, data_type) %}
    {%- set as_text = "nullif(trim(cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")), '')" -%}
    {%- if data_type == 'string' -%}
        {{ return(as_text) }}
    {%- endif -%}
    {{ return(safe_cast(column, contract_sql_type(data_type))) }}
{% endmacro %}


{#- Accepted values as SQL literals: numbers bare, text quoted. -#}
{% macro _sql_literals(values) %}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append(value if value is number else "'" ~ value ~ "'") -%}
    {%- endfor -%}
    {{ return(literals | join(', ')) }}
{% endmacro %}


{#- The day a row is re-checked by: its timestamp's date, or 9999-12-31 (every run) without one. -#}
{% macro _check_day(column) %}
    {{ return("coalesce(cast(" ~ _contract_typed(column, 'timestamp') ~ " as date), cast('9999-12-31' as date))") }}
{% endmacro %}
