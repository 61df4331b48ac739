-- The ten largest incidents of each year by USD value (ties broken by id),
-- with their share of the year. yoy_top10_stolen_usd_pct compares the sum of
-- the year's top ten with the previous year's top ten.
-- The tenth largest value of each year bounds the candidates: only rows at
-- or above it (ties included) are ranked, not every valued theft.
with valued as (
    select * from fct_incidents where amount_usd is not null and is_theft
),

floors as (
    select year, list_min(max(amount_usd, 10)) as floor_usd from valued group by year
),

ranked as (
    select
        v.*,
        row_number() over (partition by year order by amount_usd desc, incident_id) as rank
    from valued v
    join floors f using (year)
    where v.amount_usd >= f.floor_usd
),

top as (
    select * from ranked where rank <= 10
),

sums as (
    select year, sum(amount_usd) as top10_usd from top group by year
),

-- Over every year of rpt_annual, so a year without a valued theft is a 0,
-- never skipped: the next year then has no YoY rather than a two-year one.
top_sums as (
    select
        r.year,
        pct_change(coalesce(s.top10_usd, 0), lag(coalesce(s.top10_usd, 0)) over (order by r.year)) as yoy_top10_stolen_usd_pct
    from rpt_annual r
    left join sums s using (year)
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
