{#-
    The reporting date of the run (docs/definitions.md#month-snapshot): the var `as_of_date`, or
    by default the latest date in the raw billing and usage data (line-item starts, invoice
    issues, usage days and, in a finished book, the last line-item end), never later than today.
-#}
with

line_items as (
    select
        line_type,
        start_date,
        end_date
    from {{ ref('stg_raw__subscription_line_items') }}
),

finished_book as (
    -- the last end of a finished book: every recurring line has an end date and the latest one
    -- has passed. Only then: a live book's future (scheduled) ends say nothing about the date of
    -- its export, and would move the reporting date past the data (definitions#month-snapshot)
    select max(end_date) as last_end_date
    from line_items
    where line_type = 'recurring'
    having count(*) = count(end_date) and max(end_date) <= current_date
),

invoices as (
    select issued_at from {{ ref('stg_raw__invoices') }}
),

usage_days as (
    -- the aggregate, not the events: it already holds one row per account and day
    select usage_date from {{ ref('int_usage_account_feature_days_aggregated') }}
),

latest_activity as (
    select max(start_date) as activity_date from line_items
    union all
    -- without it the final churn month of a finished book would never be reported
    select last_end_date from finished_book
    union all
    select max(issued_at) from invoices
    union all
    select max(usage_date) from usage_days
),

resolved as (
    {% if var('as_of_date') -%}
    select cast('{{ var("as_of_date") }}' as date) as as_of_date
    {%- else -%}
        select least(max(activity_date), current_date) as as_of_date
        from latest_activity
    {%- endif %}
),

final as (
    select
        as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month
    from resolved
)

select * from final
