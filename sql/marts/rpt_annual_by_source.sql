-- Annual counts and USD totals per source as each feed reports them, before
-- any merging or re-valuation (accepted records only; see fct_rejects).
with records as (
    select source, year(incident_date)::integer as year, amount_usd as reported_usd
    from stg_defillama__hacks where reject_reason is null
    union all
    select source, year(incident_date)::integer, reported_usd
    from stg_curated__incidents where reject_reason is null
)

select
    year,
    source,
    count(*) as incidents,
    coalesce(sum(reported_usd), 0)::decimal(18, 2) as stolen_usd,
    count(*) filter (where reported_usd is null) as incidents_without_amount
from records
group by all
order by year, source
