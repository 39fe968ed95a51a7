-- Every model that reads the reporting date cross-joins it: it must be exactly one row.
select count(*) as as_of_rows
from {{ ref('int_as_of_date_resolved') }}
having count(*) <> 1
