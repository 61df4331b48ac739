-- The curated incident list (sources/bundled/dprk_incidents.csv or a user's
-- file with the same header, checked by the source before landing).
-- Duplicates (pipeline/warehouse/quarantine.go): a second row for an incident_key is a reject; the first is kept.
-- quarantine key: 1
-- records: curated_incidents
select r.* exclude (filename), m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_curated_incidents'), header = true, auto_detect = false,
    delim = ',', quote = '"', filename = true, columns = {
    incident_key: 'VARCHAR', incident_date: 'VARCHAR', date_precision: 'VARCHAR',
    victim: 'VARCHAR', victim_type: 'VARCHAR', country: 'VARCHAR', actor: 'VARCHAR',
    actor_group: 'VARCHAR', attribution_strength: 'VARCHAR', attribution_source: 'VARCHAR',
    citation_url: 'VARCHAR', stolen_assets: 'VARCHAR', assets_complete: 'VARCHAR',
    reported_usd: 'VARCHAR', reported_usd_low: 'VARCHAR', reported_usd_high: 'VARCHAR',
    returned_usd: 'VARCHAR', chains: 'VARCHAR', technique: 'VARCHAR', flags: 'VARCHAR',
    notes: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
