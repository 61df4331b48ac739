-- Annual theft totals in every published currency (long form); the publisher adds
-- a stolen_<ccy> column to annual.csv for each currency beyond GBP.
select
    i.year,
    a.currency,
    coalesce(sum(a.amount), 0)::decimal(18, 2) as stolen
from fct_incidents i
join fct_incident_amounts a using (incident_id)
where i.is_theft
group by all
order by i.year, a.currency
