-- Assigns every record to an incident. A matched feed record joins its
-- curated incident; any other record is its own incident. The incident_id is a
-- hash of the leading record's source and key, so it is stable across runs.
select
    r.*,
    coalesce(m.matched_source, r.source) as lead_source,
    coalesce(m.matched_key, r.source_record_key) as lead_key,
    coalesce(m.match_rule, 'lead') as match_rule,
    'inc_' || left(sha256(coalesce(m.matched_source, r.source) || ':' || coalesce(m.matched_key, r.source_record_key)), 16) as incident_id
from int_incident_records r
left join int_incident_matches m using (source, source_record_key)
