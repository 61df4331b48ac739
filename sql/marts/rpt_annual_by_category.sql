-- Annual incidents and totals per category (pipeline.Categories), every
-- category in every year; is_theft says whether the category counts in the
-- headline tables (theft_categories). Incidents flagged theft_disputed or
-- reported_late are here under their category too.
with years as (
    select year from rpt_annual
),

categories as (
    select unnest(getvariable('categories')) as category
),

totals as (
    select
        year,
        category,
        count(*) as incidents,
        count(amount_usd) as incidents_valued,
        sum(amount_usd) as stolen_usd,
        sum(amount_gbp) as stolen_gbp
    from fct_incidents
    group by all
)

select
    y.year,
    c.category,
    list_contains(getvariable('theft_categories'), c.category) as is_theft,
    coalesce(t.incidents, 0) as incidents,
    coalesce(t.incidents_valued, 0) as incidents_valued,
    coalesce(t.incidents, 0) - coalesce(t.incidents_valued, 0) as incidents_unvalued,
    coalesce(t.stolen_usd, 0)::decimal(18, 2) as stolen_usd,
    coalesce(t.stolen_gbp, 0)::decimal(18, 2) as stolen_gbp
from years y
cross join categories c
left join totals t on t.year = y.year and t.category = c.category
order by y.year, c.category
