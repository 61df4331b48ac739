-- Annual totals per victim_type (see rpt_annual__by_dimension).
select year, value as victim_type, * exclude (year, dimension, value)
from rpt_annual__by_dimension
where dimension = 'victim_type'
order by year, victim_type
