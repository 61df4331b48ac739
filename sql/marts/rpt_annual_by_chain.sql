-- Annual totals per chain (see rpt_annual__by_dimension).
select
    year,
    value as chain,
    incidents,
    incidents_valued,
    incidents_unvalued,
    stolen_usd,
    stolen_gbp,
    share_of_year_pct,
    yoy_incidents_pct,
    yoy_stolen_usd_pct,
    yoy_stolen_gbp_pct,
    yoy_basis,
    is_partial_year,
    as_of_date
from rpt_annual__by_dimension
where dimension = 'chain'
order by year, chain
