-- Annual theft totals per attributed actor ('unattributed' for the rest),
-- every actor in every year so shares add up to 100 and YoY is defined, with
-- the attribution strength mix (incidents by strongest evidence G/F/C) and
-- the confirmed figures (G or F evidence only) beside all evidence, so "at
-- least X confirmed, up to Y including suspected" reads off one row. The
-- partial year's YoY compares the same part of the year before (yoy_basis).
with years as (
    select year, is_partial_year, as_of_date from rpt_annual
),

actors as (
    select distinct coalesce(actor, 'unattributed') as actor from rpt_thefts
),

totals as (
    select
        year,
        coalesce(actor, 'unattributed') as actor,
        theft_totals(amount_usd, amount_gbp, in_ytd) as totals,
        count(*) filter (where attribution_strength in ('G', 'F')) as incidents_confirmed,
        sum(amount_usd) filter (where attribution_strength in ('G', 'F')) as stolen_usd_confirmed,
        count(*) filter (where attribution_strength = 'G') as strength_g,
        count(*) filter (where attribution_strength = 'F') as strength_f,
        count(*) filter (where attribution_strength = 'C') as strength_c,
        sum(amount_usd) filter (where attribution_strength = 'G') as stolen_usd_strength_g
    from rpt_thefts
    group by all
),

filled as (
    select
        y.year,
        a.actor,
        y.is_partial_year,
        y.as_of_date,
        unnest(zero_filled(t.totals)),
        coalesce(t.incidents_confirmed, 0) as incidents_confirmed,
        coalesce(t.stolen_usd_confirmed, 0)::decimal(18, 2) as stolen_usd_confirmed,
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
    f.incidents_valued,
    f.incidents - f.incidents_valued as incidents_unvalued,
    f.stolen_usd,
    f.stolen_gbp,
    f.incidents_confirmed,
    f.stolen_usd_confirmed,
    round(100 * f.stolen_usd / nullif(r.stolen_usd, 0), 1)::decimal(9, 1) as share_of_year_pct,
    yoy_pct(f.incidents, lag(f.incidents) over w, lag(f.ytd_incidents) over w, f.is_partial_year) as yoy_incidents_pct,
    yoy_pct(f.stolen_usd, lag(f.stolen_usd) over w, lag(f.ytd_stolen_usd) over w, f.is_partial_year) as yoy_stolen_usd_pct,
    yoy_pct(f.stolen_gbp, lag(f.stolen_gbp) over w, lag(f.ytd_stolen_gbp) over w, f.is_partial_year) as yoy_stolen_gbp_pct,
    r.yoy_basis,
    f.is_partial_year,
    f.strength_g as incidents_strength_g,
    f.strength_f as incidents_strength_f,
    f.strength_c as incidents_strength_c,
    f.stolen_usd_strength_g,
    f.as_of_date
from filled f
join rpt_annual r using (year)
window w as (partition by f.actor order by f.year)
order by f.year, f.actor
