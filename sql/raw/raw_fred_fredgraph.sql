-- FRED fredgraph.csv: a header row (DATE or observation_date, then the series
-- id) and one row per business day. Read by position: the header row itself
-- names the series, which staging looks up in seeds/fred_series.csv.
-- Duplicates (pipeline/warehouse/quarantine.go): a second row for a date is a reject; the first is kept.
-- quarantine key: 1
select r.c0, r.c1, r.filename as _file, m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_fred_fredgraph'), header = false, auto_detect = false,
    delim = ',', quote = '"', filename = true, columns = {c0: 'VARCHAR', c1: 'VARCHAR'}) r
join meta_landed_files m on m.path = r.filename
