-- Every summary table adds up to annual.csv: incidents and USD per year for
-- the one-value-per-incident dimensions, at most ten ranked incidents a year,
-- and actor shares within the year.
with dims as (
    select 'victim_type' as dimension, year, incidents, stolen_usd from rpt_annual_by_victim_type
    union all
    select 'country', year, incidents, stolen_usd from rpt_annual_by_country
    union all
    select 'technique', year, incidents, stolen_usd from rpt_annual_by_technique
)

select 'by_' || d.dimension as check_name, d.year
from (select dimension, year, sum(incidents) as n, sum(stolen_usd) as usd from dims group by all) d
join rpt_annual a using (year)
where d.n <> a.incidents or d.usd <> a.stolen_usd
union all
select 'chain covers every incident', c.year
from (select year, sum(incidents) as n from rpt_annual_by_chain group by all) c
join rpt_annual a using (year)
where c.n < a.incidents
union all
select 'top ten', year
from rpt_top_incidents
group by year
having count(*) > 10 or max(rank) <> count(*)
union all
select 'actor share', year
from rpt_share_by_actor
where stolen_usd > year_stolen_usd or incidents > year_incidents
