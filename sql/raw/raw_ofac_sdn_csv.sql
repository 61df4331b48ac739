-- OFAC sdn.csv as landed: no header, 12 columns, '-0- ' for null.
select r.* exclude (filename), m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_ofac_sdn_csv'), header = false, auto_detect = false,
    delim = ',', quote = '"', escape = '"', filename = true, columns = {
    ent_num: 'VARCHAR', sdn_name: 'VARCHAR', sdn_type: 'VARCHAR', program: 'VARCHAR',
    title: 'VARCHAR', call_sign: 'VARCHAR', vess_type: 'VARCHAR', tonnage: 'VARCHAR',
    grt: 'VARCHAR', vess_flag: 'VARCHAR', vess_owner: 'VARCHAR', remarks: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
