{#-
    Fails when the rejected share of a raw table passes its limit, and says so on the console:
    the table, its share, the limit and its three most frequent rejection reasons (quarantine is
    for stray rows, not for an export that is broken; docs/definitions.md#bad-input).

    The limit is `max_share` when given, else `max_rejected_share_for(table)`: the table's entry
    in the var `max_rejected_share_by_table`, else the var `max_rejected_share`.

    Two forms:
    - On a staging model, with `source_table` (the raw table) and `checked_rows` (its base model:
      one row per distinct raw row, with `rejection_reason` and `duplicate_count`). This is the
      form that guards the build: the test runs right after the staging model and before
      anything that reads it, so a failure skips every intermediate model and mart. The share is
      `rejected_share(distinct rejected rows, raw rows)`, as in audit_row_reconciliation.
      At execution the base model is read once, in one grouped pass (run_query), and the test
      returns the measured row as values, so the check costs one scan of two columns.
    - As a column test on precomputed shares (a model with `source_table` and the share column).
-#}
{% test rejected_share_within_limit(model, column_name=none, source_table=none, checked_rows=none, max_share=none) %}
    {%- set by_table = var('max_rejected_share_by_table', none) or {} -%}

    {%- if checked_rows is none -%}
        {#- precomputed shares: the limit per row's source_table -#}
        {%- set default_limit = max_share if max_share is not none else var('max_rejected_share') -%}
        {%- set limit_sql -%}
            {%- if max_share is none and by_table -%}
                case source_table
                    {%- for table, limit in by_table.items() %}
                        when '{{ table }}' then {{ limit }}
                    {%- endfor %}
                    else {{ default_limit }}
                end
            {%- else -%}
                {{ default_limit }}
            {%- endif -%}
        {%- endset -%}
        {%- set failing_sql -%}
            select
                source_table,
                {{ column_name }} as rejected_share,
                {{ limit_sql }} as max_rejected_share
            from {{ model }}
            where {{ column_name }} > {{ limit_sql }}
        {%- endset -%}
        {%- if execute -%}
            {%- for row in run_query(failing_sql) -%}
                {{ log(
                    'Rejected share of raw.' ~ row['source_table'] ~ ' is '
                    ~ '%.2f' | format(100 * row['rejected_share']) ~ '%, above its limit of '
                    ~ '%.2f' | format(100 * row['max_rejected_share']) ~ '% (' ~ model ~ ').',
                    info=True,
                ) }}
            {%- endfor -%}
        {%- endif %}
        {{ failing_sql }}
    {%- else -%}
        {%- if max_share is not none -%}
            {%- set limit, limit_name = max_share, 'the test argument max_share' -%}
        {%- elif by_table.get(source_table) is not none -%}
            {%- set limit = max_rejected_share_for(source_table) -%}
            {%- set limit_name = 'var max_rejected_share_by_table.' ~ source_table -%}
        {%- else -%}
            {%- set limit, limit_name = max_rejected_share_for(source_table), 'var max_rejected_share' -%}
        {%- endif -%}
        {%- set measure_sql -%}
            with

            grouped as (
                select
                    rejection_reason,
                    count(*) as distinct_rows,
                    sum(duplicate_count) as raw_rows
                from {{ checked_rows }}
                group by rejection_reason
            ),

            measured as (
                select
                    rejection_reason,
                    distinct_rows as reason_rows,
                    sum(raw_rows) over () as raw_rows,
                    sum(
                        case when rejection_reason is not null then distinct_rows else 0 end
                    ) over () as rejected_rows,
                    row_number() over (
                        order by
                            case when rejection_reason is null then 1 else 0 end,
                            distinct_rows desc,
                            rejection_reason
                    ) as reason_rank
                from grouped
            )

            select
                raw_rows,
                rejected_rows,
                {{ rejected_share('rejected_rows', 'raw_rows') }} as rejected_share,
                rejection_reason,
                reason_rows,
                reason_rank
            from measured
            where reason_rank <= 3
            order by reason_rank
        {%- endset -%}

        {%- if not execute %}
            {{ measure_sql }}
        {%- else -%}
            {%- set measured = run_query(measure_sql) -%}
            {%- set raw_rows = measured[0]['raw_rows'] if measured | length else 0 -%}
            {%- set rejected_rows = measured[0]['rejected_rows'] if measured | length else 0 -%}
            {%- set share = measured[0]['rejected_share'] if measured | length else 0 -%}
            {%- set reasons = [] -%}
            {%- for row in measured if row['rejection_reason'] is not none -%}
                {%- do reasons.append(
                    '"' ~ row['rejection_reason'] ~ '" (' ~ row['reason_rows']
                    ~ (' row)' if row['reason_rows'] == 1 else ' rows)')
                ) -%}
            {%- endfor -%}
            {%- set top_reasons = reasons | join(', ') -%}
            {%- if share > limit -%}
                {{ log(
                    'Rejected share of raw.' ~ source_table ~ ' is ' ~ '%.2f' | format(100 * share)
                    ~ '% (' ~ rejected_rows ~ ' of ' ~ raw_rows ~ ' raw rows), above its limit of '
                    ~ '%.2f' | format(100 * limit) ~ '% (' ~ limit_name ~ '). Top reasons: '
                    ~ top_reasons ~ '. Every rejected row is in audit.audit_rejected_rows; '
                    ~ 'dbt build skips every model that reads ' ~ model.identifier ~ '.',
                    info=True,
                ) }}
            {%- endif %}
            -- the row measured from {{ checked_rows }} in one grouped pass (run_query above)
            select *
            from (
                select
                    cast('{{ source_table }}' as {{ dbt.type_string() }}) as source_table,
                    cast({{ raw_rows }} as {{ dbt.type_bigint() }}) as raw_rows,
                    cast({{ rejected_rows }} as {{ dbt.type_bigint() }}) as rejected_rows,
                    cast({{ share }} as {{ double_type() }}) as rejected_share,
                    cast({{ limit }} as {{ double_type() }}) as max_rejected_share,
                    cast('{{ top_reasons | replace("'", "''") }}' as {{ dbt.type_string() }})
                        as top_reasons
            ) as measured_share
            where rejected_share > max_rejected_share
        {%- endif -%}
    {%- endif -%}
{% endtest %}
