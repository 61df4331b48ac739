-- yfinance CSVs: three header rows (Price/Ticker/Date) then
-- Date,Close,High,Low,Open,Volume. Read by position; the source checked the
-- header layout before landing. Only Date and Close are kept (no model reads
-- the others), and _file_index (the file's place in this load's file list)
-- tells the rows of each ticker apart: the long landed path on every row
-- slowed this load down. The source
-- and fetch time are looked up once per file.
-- Duplicates (pipeline/warehouse/quarantine.go): a second row for a date in a file is a reject; the first is kept.
-- quarantine key: 1
with files as (
    select
        unnest(getvariable('files_prices_yfinance')) as path,
        generate_subscripts(getvariable('files_prices_yfinance'), 1) - 1 as file_index
)

select r.c0, r.c1, r.file_index::integer as _file_index, m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_prices_yfinance'), header = false, auto_detect = false,
    delim = ',', quote = '"', columns = {
    c0: 'VARCHAR', c1: 'VARCHAR', c2: 'VARCHAR', c3: 'VARCHAR', c4: 'VARCHAR', c5: 'VARCHAR'
}) r
join files f on f.file_index = r.file_index
join meta_landed_files m on m.path = f.path
