-- SlowMist Hacked export as landed (header checked by the source). Every
-- column is text; staging types it, so one bad value is quarantined.
-- Duplicates (pipeline/warehouse/quarantine.go): an exact duplicate line is one record and one reject.
-- quarantine key: line
-- records: slowmist_hacked
select r.* exclude (filename), m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_slowmist_hacked'), header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', filename = true, columns = {
    date: 'VARCHAR', name: 'VARCHAR', description: 'VARCHAR', loss_usd: 'VARCHAR',
    attack_method: 'VARCHAR', reference: 'VARCHAR', year: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
