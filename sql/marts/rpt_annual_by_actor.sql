-- Annual theft totals per attributed actor ('unattributed' for the rest),
-- every actor in every year so shares add up to 100 and YoY is defined, with
-- the attribution strength mix (incidents by strongest evidence G/F/C).
with years as (
    select year from rpt_annual
),

actors as (
    select distinct coalesce(actor, 'unattributed') as actor from fct_incidents where is_theft
),

totals as (
    select
        year,
        coalesce(actor, 'unattributed') as actor,
        count(*) as incidents,
        sum(amount_usd) as stolen_usd,
        sum(amount_gbp) as stolen_gbp,
        count(*) filter (where attribution_strength = 'G') as strength_g,
        count(*) filter (where attribution_strength = 'F') as strength_f,
        count(*) filter (where attribution_strength = 'C') as strength_c,
        coalesce(sum(amount_usd) filter (where attribution_strength = 'G'), 0) as stolen_usd_strength_g
    from fct_incidents
    where is_theft
    group by all
),

filled as (
    select
        y.year,
        a.actor,
        coalesce(t.incidents, 0) as incidents,
        coalesce(t.stolen_usd, 0)::decimal(18, 2) as stolen_usd,
        coalesce(t.stolen_gbp, 0)::decimal(18, 2) as stolen_gbp,
        coalesce(t.strength_g, 0) as strength_g,
        coalesce(t.strength_f, 0) as strength_f,
        coalesce(t.strength_c, 0) as strength_c,
        coalesce(t.stolen_usd_strength_g, 0)::decimal(18, 2) as stolen_usd_strength_g
    from years y
    cross join actors a
    left join totals t on t.year = y.year and t.actor = a.actor
)

select
    f.year,
    f.actor,
    f.incidents,
    f.stolen_usd,
    f.stolen_gbp,
    round(100 * f.stolen_usd / nullif(r.stolen_usd, 0), 1)::decimal(9, 1) as share_of_year_pct,
    round(100 * (f.incidents - lag(f.incidents) over w) / nullif(lag(f.incidents) over w, 0), 1)::decimal(9, 1) as yoy_incidents_pct,
    round(100 * (f.stolen_usd - lag(f.stolen_usd) over w) / nullif(lag(f.stolen_usd) over w, 0), 1)::decimal(9, 1) as yoy_stolen_usd_pct,
    round(100 * (f.stolen_gbp - lag(f.stolen_gbp) over w) / nullif(lag(f.stolen_gbp) over w, 0), 1)::decimal(9, 1) as yoy_stolen_gbp_pct,
    r.is_partial_year,
    f.strength_g as incidents_strength_g,
    f.strength_f as incidents_strength_f,
    f.strength_c as incidents_strength_c,
    f.stolen_usd_strength_g,
    r.as_of_date
from filled f
join rpt_annual r using (year)
window w as (partition by f.actor order by f.year)
order by f.year, f.actor
