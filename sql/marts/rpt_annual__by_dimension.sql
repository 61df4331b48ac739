-- Annual totals per value of one incident dimension (long form), behind the
-- annual_by_<dimension> tables. A missing value is 'unknown'. An incident on
-- several chains counts once in each chain, so chain shares can add above 100.
-- Each value has a row in every year from its first, so YoY is defined; the
-- partial year's YoY compares the same part of the year before (yoy_basis).
with dims as (
    select year, in_ytd, 'victim_type' as dimension, coalesce(victim_type, 'unknown') as value, amount_usd, amount_gbp from rpt_thefts
    union all
    select year, in_ytd, 'country', coalesce(country, 'unknown'), amount_usd, amount_gbp from rpt_thefts
    union all
    select year, in_ytd, 'technique', coalesce(technique, 'unknown'), amount_usd, amount_gbp from rpt_thefts
    union all
    select year, in_ytd, 'chain', unnest(if(len(chains) > 0, chains, ['unknown'])), amount_usd, amount_gbp from rpt_thefts
),

first_years as (
    select dimension, value, min(year) as first_year from dims group by all
),

totals as (
    select
        year,
        dimension,
        value,
        theft_totals(amount_usd, amount_gbp, in_ytd) as totals
    from dims
    group by all
),

filled as (
    select
        r.year,
        f.dimension,
        f.value,
        r.is_partial_year,
        unnest(zero_filled(t.totals))
    from rpt_annual r
    join first_years f on r.year >= f.first_year
    left join totals t on t.year = r.year and t.dimension = f.dimension and t.value = f.value
)

select
    f.year,
    f.dimension,
    f.value,
    f.incidents,
    f.incidents_valued,
    f.incidents - f.incidents_valued as incidents_unvalued,
    f.stolen_usd,
    f.stolen_gbp,
    round(100 * f.stolen_usd / nullif(r.stolen_usd, 0), 1)::decimal(9, 1) as share_of_year_pct,
    yoy_pct(f.incidents, lag(f.incidents) over w, lag(f.ytd_incidents) over w, f.is_partial_year) as yoy_incidents_pct,
    yoy_pct(f.stolen_usd, lag(f.stolen_usd) over w, lag(f.ytd_stolen_usd) over w, f.is_partial_year) as yoy_stolen_usd_pct,
    yoy_pct(f.stolen_gbp, lag(f.stolen_gbp) over w, lag(f.ytd_stolen_gbp) over w, f.is_partial_year) as yoy_stolen_gbp_pct,
    r.yoy_basis,
    r.is_partial_year,
    r.as_of_date
from filled f
join rpt_annual r using (year)
window w as (partition by f.dimension, f.value order by f.year)
order by f.dimension, f.year, f.value
