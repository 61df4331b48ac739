-- One row per incident, valued at its theft date in USD and GBP.
select
    i.incident_id,
    i.incident_date,
    year(i.incident_date)::integer as year,
    i.date_precision,
    i.source,
    i.sources,
    i.victim,
    i.victim_type,
    i.country,
    i.chains,
    i.technique,
    i.classification,
    -- A disputed attribution is kept in flags but not counted for the actor.
    case when not list_contains(i.flags, 'attribution_disputed') then i.actor end as actor,
    case when not list_contains(i.flags, 'attribution_disputed') then i.actor_group end as actor_group,
    case when not list_contains(i.flags, 'attribution_disputed') then i.attribution_strength end as attribution_strength,
    i.attribution_source,
    i.citation_url,
    i.amount_usd,
    gbp.amount as amount_gbp,
    i.valuation_method,
    i.native_value_usd,
    i.reported_usd,
    i.price_date,
    gbp.fx_rate_date,
    gbp.per_usd as gbp_per_usd,
    i.returned_usd,
    i.flags,
    i.match_rules
from int_incidents__valued i
left join int_incident_amounts gbp on gbp.incident_id = i.incident_id and gbp.currency = 'GBP'
order by i.incident_id
