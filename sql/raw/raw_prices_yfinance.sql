-- yfinance CSVs: three header rows (Price/Ticker/Date) then
-- Date,Close,High,Low,Open,Volume. Read by position; the source checked the
-- header layout before landing. _file tells the rows of each ticker apart.
select r.c0, r.c1, r.c2, r.c3, r.c4, r.c5, r.filename as _file,
    m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_prices_yfinance'), header = false, auto_detect = false,
    delim = ',', quote = '"', filename = true, columns = {
    c0: 'VARCHAR', c1: 'VARCHAR', c2: 'VARCHAR', c3: 'VARCHAR', c4: 'VARCHAR', c5: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
