-- Each attributed actor's share of every year (DPRK always listed): incidents
-- and value against the year's totals, YoY (annual_by_actor's), and the
-- change in share.
with actors as (
    select distinct actor from fct_incidents where actor is not null and is_theft
    union
    select 'DPRK'
),

by_actor as (
    select
        r.year,
        a.actor,
        coalesce(b.incidents, 0) as incidents,
        r.incidents as year_incidents,
        coalesce(b.stolen_usd, 0)::decimal(18, 2) as stolen_usd,
        r.stolen_usd as year_stolen_usd,
        coalesce(b.stolen_gbp, 0)::decimal(18, 2) as stolen_gbp,
        r.stolen_gbp as year_stolen_gbp,
        b.yoy_incidents_pct,
        b.yoy_stolen_usd_pct,
        b.yoy_stolen_gbp_pct,
        r.yoy_basis,
        r.is_partial_year,
        r.as_of_date
    from rpt_annual r
    cross join actors a
    left join rpt_annual_by_actor b on b.year = r.year and b.actor = a.actor
),

shares as (
    select
        *,
        round(100 * incidents / nullif(year_incidents, 0), 1)::decimal(9, 1) as share_of_incidents_pct,
        round(100 * stolen_usd / nullif(year_stolen_usd, 0), 1)::decimal(9, 1) as share_of_year_pct
    from by_actor
)

select
    year,
    actor,
    incidents,
    year_incidents,
    share_of_incidents_pct,
    stolen_usd,
    year_stolen_usd,
    share_of_year_pct,
    stolen_gbp,
    year_stolen_gbp,
    yoy_incidents_pct,
    yoy_stolen_usd_pct,
    yoy_stolen_gbp_pct,
    yoy_basis,
    (share_of_year_pct - lag(share_of_year_pct) over w)::decimal(9, 1) as share_change_pts,
    is_partial_year,
    as_of_date
from shares
window w as (partition by actor order by year)
order by year, actor
