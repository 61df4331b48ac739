-- dn-institute Crypto Attacks Wiki incidents as the source parsed them from
-- the tarball's front matter (JSON lines, one per incident file; a file whose
-- front matter could not be read has only file, file_date and error). Text
-- as written; staging types it.
-- records: dn_institute
select r.* exclude (filename), m.source as _source, m.fetched_at as _fetched_at
from read_json(getvariable('files_dn_institute'), format = 'newline_delimited', filename = true, columns = {
    file: 'VARCHAR', file_date: 'VARCHAR', date: 'VARCHAR', title: 'VARCHAR',
    target_entities: 'VARCHAR[]', entity_types: 'VARCHAR[]', attack_types: 'VARCHAR[]',
    loss: 'VARCHAR', tags: 'VARCHAR[]', body: 'VARCHAR', error: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
