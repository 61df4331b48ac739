-- A record key for a feed with no id upstream: date, name and an ordinal
-- among identical pairs, ordered by the full record so it is deterministic.
create or replace temp macro date_victim_key(source, incident_date, victim, record) as
    coalesce(strftime(incident_date, '%Y-%m-%d'), '') || '|' || coalesce(victim, '') || '|'
        || row_number() over (partition by source, incident_date, victim order by record)
