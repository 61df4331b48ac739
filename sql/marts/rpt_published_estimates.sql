-- Each tracker's published annual figure (seed_published_estimates: year,
-- publisher, edition, scope, actor, with the URL it was read at) beside
-- heiststat's for the same year and actor: all thefts from annual, DPRK
-- from annual_by_actor (all evidence, and G or F evidence only). ratio is
-- the published figure over heiststat's. A figure whose note starts
-- "multi-year" covers several years and is filed under its last.
with ours as (
    select year, 'all' as actor, stolen_usd, incidents,
        null::decimal(18, 2) as stolen_usd_confirmed, null::bigint as incidents_confirmed
    from rpt_annual
    union all
    select year, 'DPRK', stolen_usd, incidents, stolen_usd_confirmed, incidents_confirmed
    from rpt_annual_by_actor
    where actor = 'DPRK'
),

published as (
    select
        try_cast(trim(year) as integer) as year,
        trim(publisher) as publisher,
        trim(edition) as edition,
        trim(scope) as scope,
        case when lower(trim(actor)) = 'dprk' then 'DPRK' else 'all' end as actor,
        try_cast(nullif(trim(stolen_usd), '') as decimal(18, 2)) as stolen_usd,
        try_cast(nullif(trim(incidents), '') as integer) as incidents,
        trim(url) as url,
        nullif(trim(note), '') as note
    from seed_published_estimates
)

select
    p.year,
    p.publisher,
    p.edition,
    p.scope,
    p.actor,
    p.stolen_usd,
    p.incidents,
    p.url,
    p.note,
    coalesce(o.stolen_usd, 0)::decimal(18, 2) as heiststat_stolen_usd,
    coalesce(o.incidents, 0) as heiststat_incidents,
    o.stolen_usd_confirmed as heiststat_stolen_usd_confirmed,
    o.incidents_confirmed as heiststat_incidents_confirmed,
    round(p.stolen_usd / nullif(o.stolen_usd, 0), 2)::decimal(9, 2) as ratio
from published p
left join ours o on o.year = p.year and o.actor = p.actor
order by p.year, p.actor, p.publisher, p.edition
