-- Annual totals per technique (see rpt_annual__by_dimension).
select year, value as technique, * exclude (year, dimension, value)
from rpt_annual__by_dimension
where dimension = 'technique'
order by year, technique
