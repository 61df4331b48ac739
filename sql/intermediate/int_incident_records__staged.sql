-- Every staged record of every incident feed, accepted or rejected, in the
-- incident contract each staging model emits (the columns below, same names
-- and types; assert_stg_incidents__contract checks it). A new feed is one
-- line here. format is the feed format the rejects and row counts report.
-- A view: int_incident_records reads the accepted rows, int_records__all
-- counts them and keeps the rejected ones.
-- materialized: view
with staged as (
    from stg_curated__incidents
    union all by name from stg_defillama__hacks
    union all by name from stg_blocksec__events
    union all by name from stg_slowmist__hacked
    union all by name from stg_defi_rekt__records
    union all by name from stg_defihacklabs__exploits
    union all by name from stg_dn_institute__incidents
    union all by name from stg_rekt_news__leaderboard
)

select
    source, source_record_key, feed, format, incident_date, date_precision, victim, victim_type, country,
    chains, technique, classification, category_text, actor, actor_group, attribution_strength,
    attribution_source, citation_url, flags, reported_usd, returned_usd, url, attacker_addresses, description,
    record,
    reject_reason
from staged
