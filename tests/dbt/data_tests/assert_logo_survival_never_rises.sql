-- A Kaplan-Meier curve starts at or below 1 and never rises.
with ordered as (
    select
        dimension_name,
        dimension_value,
        days_since_first_revenue,
        survival,
        lag(survival) over (
            partition by dimension_name, dimension_value order by days_since_first_revenue
        ) as previous_survival
    from {{ ref('fct_logo_survival') }}
)

select *
from ordered
where survival < 0
    or survival > 1
    or survival > previous_survival + 1e-12
