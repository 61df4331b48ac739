-- One row per canonical incident (records of every feed merged, see
-- int_incident_clusters), valued at its theft date in USD and GBP.
-- Not sorted: each reader orders what it reads (the publish by the dataset
-- keys), so sorting the table too was wasted work.
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
    -- Actor and strength come from the evidence (int_incident_attribution);
    -- a disputed curated attribution counts and says so in flags.
    a.actor,
    case when a.actor is not null then i.actor_group end as actor_group,
    a.attribution_strength,
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
    i.match_rules,
    i.feeds,
    i.category,
    -- A theft whose theft is disputed, or first reported years later, stays
    -- out of the headline tables unless include_disputed is set.
    list_contains(getvariable('theft_categories'), i.category)
        and (getvariable('include_disputed') or not list_has_any(i.flags, ['theft_disputed', 'reported_late'])) as is_theft,
    coalesce(a.attribution_evidence, []::varchar[]) as attribution_evidence,
    i.reported_usd_low::decimal(18, 2) as reported_usd_low,
    i.reported_usd_high::decimal(18, 2) as reported_usd_high,
    i.amount_citation,
    i.is_reviewed,
    -- Money the victim paid its own customers back is not recovered from
    -- the thieves (Bybit, DMM Bitcoin): a review flags it.
    case when not list_contains(i.flags, 'reimbursed_by_victim') then i.returned_usd end as recovered_usd,
    case when list_contains(i.flags, 'reimbursed_by_victim') then i.returned_usd end as reimbursed_usd
from int_incidents__valued i
left join int_incident_amounts gbp on gbp.incident_id = i.incident_id and gbp.currency = 'GBP'
left join int_incident_attribution a on a.incident_id = i.incident_id
