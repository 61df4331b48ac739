-- The ten largest incidents of each year by USD value (ties broken by id),
-- with their share of the year. yoy_top10_stolen_usd_pct compares the sum of
-- the year's top ten with the previous year's top ten.
with ranked as (
    select
        *,
        row_number() over (partition by year order by amount_usd desc, incident_id) as rank
    from fct_incidents
    where amount_usd is not null and is_theft
),

top as (
    select * from ranked where rank <= 10
),

top_sums as (
    select
        year,
        sum(amount_usd) as top10_usd,
        round(100 * (sum(amount_usd) - lag(sum(amount_usd)) over (order by year))
            / nullif(lag(sum(amount_usd)) over (order by year), 0), 1)::decimal(9, 1) as yoy_top10_stolen_usd_pct
    from top
    group by year
)

select
    t.year,
    t.rank::integer as rank,
    t.incident_id,
    t.incident_date,
    t.victim,
    t.victim_type,
    t.country,
    t.technique,
    t.actor,
    t.amount_usd,
    t.amount_gbp,
    t.valuation_method,
    round(100 * t.amount_usd / nullif(r.stolen_usd, 0), 1)::decimal(9, 1) as share_of_year_pct,
    s.yoy_top10_stolen_usd_pct,
    t.citation_url,
    r.is_partial_year,
    r.as_of_date
from top t
join rpt_annual r using (year)
join top_sums s using (year)
order by t.year, t.rank
