-- Annual totals over theft incidents (rpt_thefts: is_theft), every year from
-- the first incident to the last (a year without incidents is a row of
-- zeros, so YoY never skips a year). A YoY cell is NULL (empty in CSV) when
-- the previous year is zero or absent; the partial year's YoY compares the
-- same part of the previous year (yoy_basis ytd_to_MM-DD).
with as_of as (
    select as_of_date from int_as_of
),

years as (
    select unnest(range(min(year), max(year) + 1))::integer as year from fct_incidents
),

totals as (
    select
        year,
        theft_totals(amount_usd, amount_gbp, in_ytd) as totals,
        sum(recovered_usd) as recovered_usd,
        sum(reimbursed_usd) as reimbursed_usd
    from rpt_thefts
    group by year
),

filled as (
    select
        y.year,
        unnest(zero_filled(t.totals)),
        coalesce(t.recovered_usd, 0)::decimal(18, 2) as recovered_usd,
        coalesce(t.reimbursed_usd, 0)::decimal(18, 2) as reimbursed_usd,
        y.year = year(a.as_of_date) and a.as_of_date < make_date(y.year, 12, 31) as is_partial_year,
        a.as_of_date
    from years y
    cross join as_of a
    left join totals t using (year)
)

select
    year,
    incidents,
    incidents_valued,
    incidents - incidents_valued as incidents_unvalued,
    stolen_usd,
    stolen_gbp,
    recovered_usd,
    reimbursed_usd,
    yoy_pct(incidents, lag(incidents) over w, lag(ytd_incidents) over w, is_partial_year) as yoy_incidents_pct,
    yoy_pct(stolen_usd, lag(stolen_usd) over w, lag(ytd_stolen_usd) over w, is_partial_year) as yoy_stolen_usd_pct,
    yoy_pct(stolen_gbp, lag(stolen_gbp) over w, lag(ytd_stolen_gbp) over w, is_partial_year) as yoy_stolen_gbp_pct,
    if(is_partial_year, 'ytd_to_' || strftime(as_of_date, '%m-%d'), 'full_year') as yoy_basis,
    is_partial_year,
    as_of_date
from filled
window w as (order by year)
order by year
