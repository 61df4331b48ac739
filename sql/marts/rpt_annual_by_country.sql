-- Annual totals per country (see rpt_annual__by_dimension).
select year, value as country, * exclude (year, dimension, value)
from rpt_annual__by_dimension
where dimension = 'country'
order by year, country
