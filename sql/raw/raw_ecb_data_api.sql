-- ECB data-API CSV (EXR flow): a header row naming the columns, then one row
-- per (series, day). Columns are read by position because their number and
-- order vary (8-column short responses, the full 32): staging finds
-- CURRENCY, CURRENCY_DENOM, TIME_PERIOD and OBS_VALUE by their header name.
-- Duplicates (pipeline/warehouse/quarantine.go): a second row for a (series, day) in a
-- file is a reject (duplicate of line N); the first is kept.
-- quarantine key: KEY, TIME_PERIOD
select r.* exclude (filename), r.filename as _file, m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_ecb_data_api'), header = false, auto_detect = false,
    delim = ',', quote = '"', null_padding = true, filename = true, columns = {
    c0: 'VARCHAR', c1: 'VARCHAR', c2: 'VARCHAR', c3: 'VARCHAR', c4: 'VARCHAR', c5: 'VARCHAR', c6: 'VARCHAR', c7: 'VARCHAR', c8: 'VARCHAR', c9: 'VARCHAR', c10: 'VARCHAR', c11: 'VARCHAR', c12: 'VARCHAR', c13: 'VARCHAR', c14: 'VARCHAR', c15: 'VARCHAR', c16: 'VARCHAR', c17: 'VARCHAR', c18: 'VARCHAR', c19: 'VARCHAR', c20: 'VARCHAR', c21: 'VARCHAR', c22: 'VARCHAR', c23: 'VARCHAR', c24: 'VARCHAR', c25: 'VARCHAR', c26: 'VARCHAR', c27: 'VARCHAR', c28: 'VARCHAR', c29: 'VARCHAR', c30: 'VARCHAR', c31: 'VARCHAR', c32: 'VARCHAR', c33: 'VARCHAR', c34: 'VARCHAR', c35: 'VARCHAR', c36: 'VARCHAR', c37: 'VARCHAR', c38: 'VARCHAR', c39: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
