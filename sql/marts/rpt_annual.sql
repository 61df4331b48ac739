-- Annual totals over theft incidents (is_theft: the configured
-- theft_categories; scams are in annual_by_category), every year from the
-- first incident to the last (a year
-- without incidents is a row of zeros, so YoY never skips a year). A YoY
-- cell is NULL (empty in CSV) when the previous year is zero or absent.
with as_of as (
    select as_of_date from int_as_of
),

years as (
    select unnest(range(min(year), max(year) + 1))::integer as year from fct_incidents
),

totals as (
    select
        year,
        count(*) as incidents,
        count(*) filter (where amount_usd is null) as unvalued_incidents,
        sum(amount_usd) as stolen_usd,
        sum(amount_gbp) as stolen_gbp,
        sum(returned_usd) as returned_usd
    from fct_incidents
    where is_theft
    group by year
),

filled as (
    select
        y.year,
        coalesce(t.incidents, 0) as incidents,
        coalesce(t.stolen_usd, 0)::decimal(18, 2) as stolen_usd,
        coalesce(t.stolen_gbp, 0)::decimal(18, 2) as stolen_gbp,
        coalesce(t.returned_usd, 0)::decimal(18, 2) as returned_usd,
        coalesce(t.unvalued_incidents, 0) as unvalued_incidents
    from years y
    left join totals t using (year)
)

select
    year,
    incidents,
    stolen_usd,
    stolen_gbp,
    returned_usd,
    round(100 * (incidents - lag(incidents) over w) / nullif(lag(incidents) over w, 0), 1)::decimal(9, 1) as yoy_incidents_pct,
    round(100 * (stolen_usd - lag(stolen_usd) over w) / nullif(lag(stolen_usd) over w, 0), 1)::decimal(9, 1) as yoy_stolen_usd_pct,
    round(100 * (stolen_gbp - lag(stolen_gbp) over w) / nullif(lag(stolen_gbp) over w, 0), 1)::decimal(9, 1) as yoy_stolen_gbp_pct,
    year = year(a.as_of_date) and a.as_of_date < make_date(year, 12, 31) as is_partial_year,
    a.as_of_date,
    unvalued_incidents
from filled
cross join as_of a
window w as (order by year)
order by year
