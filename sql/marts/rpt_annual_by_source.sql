-- Annual counts and USD totals per source as each feed reports them, before
-- any merging or re-valuation (accepted records only, see fct_rejects, after
-- the corrections in seed_record_overrides). The theft_ columns count only
-- records whose own category is a theft (theft_categories), which matters
-- for De.Fi REKT, mostly scams.
with records as (
    select source, year(incident_date)::integer as year, reported_usd,
        list_contains(getvariable('theft_categories'), category) as is_theft
    from int_incident_records
)

select
    year,
    source,
    count(*) as incidents,
    coalesce(sum(reported_usd), 0)::decimal(18, 2) as stolen_usd,
    count(*) filter (where reported_usd is null) as incidents_without_amount,
    count(*) filter (where is_theft) as theft_incidents,
    coalesce(sum(reported_usd) filter (where is_theft), 0)::decimal(18, 2) as theft_stolen_usd
from records
group by all
order by year, source
