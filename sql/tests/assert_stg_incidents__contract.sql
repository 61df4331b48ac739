-- The incident contract: every incident feed's staging model (a stg_ model
-- with a format column) emits every column of int_incident_records__staged
-- under that name and with that type, so the union by name never fills a
-- column with NULLs nor widens a type.
with contract as (
    select column_name, column_type as data_type from (describe int_incident_records__staged)
),

models as (
    select distinct table_name from duckdb_columns()
    where table_name like 'stg\_%' escape '\' and column_name = 'format'
)

select m.table_name, c.column_name, c.data_type as expected, d.data_type as actual
from models m
cross join contract c
left join duckdb_columns() d on d.table_name = m.table_name and d.column_name = c.column_name
where d.data_type is distinct from c.data_type
