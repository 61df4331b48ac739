-- De.Fi REKT database export as landed (header checked by the source), all
-- text; staging types it.
-- Duplicates (pipeline/warehouse/quarantine.go): a second record with an id already seen is a reject (the first is kept), whether identical or not.
-- quarantine key: 1
-- records: defi_rekt
select r.* exclude (filename), m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_defi_rekt'), header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', filename = true, columns = {
    id: 'VARCHAR', date: 'VARCHAR', name: 'VARCHAR', category: 'VARCHAR', chain: 'VARCHAR',
    funds_lost: 'VARCHAR', funds_recovered: 'VARCHAR', funds_returned: 'VARCHAR',
    scam_type: 'VARCHAR', scam_parent: 'VARCHAR', year: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
