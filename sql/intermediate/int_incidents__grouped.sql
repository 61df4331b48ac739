-- Every incident record with the canonical incident it belongs to (see
-- int_incident_clusters), the lead record and the rule that put it there.
select
    r.*,
    c.lead_source,
    c.lead_key,
    c.match_rule,
    c.incident_id
from int_incident_records r
-- On the row id, cheaper than the (source, key) text pair.
join int_incident_clusters c on c.record_rowid = r.rowid
