-- ECB eurofxref-hist.csv: a header row of currency codes, then one row per
-- TARGET day, newest first, units per EUR, 'N/A' for discontinued currencies
-- and a trailing comma on every line. Columns are read by position (c0 is the
-- date) because the header row itself says which currency each position is.
-- Duplicates (pipeline/warehouse/quarantine.go): a second row for a date is a reject (duplicate of line N); the first is kept.
-- quarantine key: 1
select r.* exclude (filename), m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_ecb_eurofxref'), header = false, auto_detect = false,
    delim = ',', quote = '"', null_padding = true, filename = true, columns = {
    c0: 'VARCHAR', c1: 'VARCHAR', c2: 'VARCHAR', c3: 'VARCHAR', c4: 'VARCHAR', c5: 'VARCHAR', c6: 'VARCHAR', c7: 'VARCHAR', c8: 'VARCHAR', c9: 'VARCHAR', c10: 'VARCHAR', c11: 'VARCHAR', c12: 'VARCHAR', c13: 'VARCHAR', c14: 'VARCHAR', c15: 'VARCHAR', c16: 'VARCHAR', c17: 'VARCHAR', c18: 'VARCHAR', c19: 'VARCHAR', c20: 'VARCHAR', c21: 'VARCHAR', c22: 'VARCHAR', c23: 'VARCHAR', c24: 'VARCHAR', c25: 'VARCHAR', c26: 'VARCHAR', c27: 'VARCHAR', c28: 'VARCHAR', c29: 'VARCHAR', c30: 'VARCHAR', c31: 'VARCHAR', c32: 'VARCHAR', c33: 'VARCHAR', c34: 'VARCHAR', c35: 'VARCHAR', c36: 'VARCHAR', c37: 'VARCHAR', c38: 'VARCHAR', c39: 'VARCHAR', c40: 'VARCHAR', c41: 'VARCHAR', c42: 'VARCHAR', c43: 'VARCHAR', c44: 'VARCHAR', c45: 'VARCHAR', c46: 'VARCHAR', c47: 'VARCHAR', c48: 'VARCHAR', c49: 'VARCHAR', c50: 'VARCHAR', c51: 'VARCHAR', c52: 'VARCHAR', c53: 'VARCHAR', c54: 'VARCHAR', c55: 'VARCHAR', c56: 'VARCHAR', c57: 'VARCHAR', c58: 'VARCHAR', c59: 'VARCHAR', c60: 'VARCHAR', c61: 'VARCHAR', c62: 'VARCHAR', c63: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
