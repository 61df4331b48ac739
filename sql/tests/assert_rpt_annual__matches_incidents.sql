-- The annual tables add up to the theft incidents they summarize, and the
-- category table to all incidents.
select 'annual' as check_name
from (select sum(incidents) as n, sum(stolen_usd) as usd, sum(stolen_gbp) as gbp from rpt_annual) a,
     (select count(*) as n, coalesce(sum(amount_usd), 0) as usd, coalesce(sum(amount_gbp), 0) as gbp from fct_incidents where is_theft) i
where a.n <> i.n or a.usd <> i.usd or a.gbp <> i.gbp
union all
select 'by_actor'
from (select sum(incidents) as n, sum(stolen_usd) as usd from rpt_annual_by_actor) a,
     (select count(*) as n, coalesce(sum(amount_usd), 0) as usd from fct_incidents where is_theft) i
where a.n <> i.n or a.usd <> i.usd
union all
select 'by_category'
from (select sum(incidents) as n, sum(stolen_usd) as usd from rpt_annual_by_category) a,
     (select count(*) as n, coalesce(sum(amount_usd), 0) as usd from fct_incidents) i
where a.n <> i.n or a.usd <> i.usd
