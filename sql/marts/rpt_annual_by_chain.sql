-- Annual totals per chain (see rpt_annual__by_dimension).
select year, value as chain, * exclude (year, dimension, value)
from rpt_annual__by_dimension
where dimension = 'chain'
order by year, chain
