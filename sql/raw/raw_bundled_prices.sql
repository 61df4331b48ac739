-- Price points bundled in the binary (sources/bundled/prices.csv).
-- Duplicates (pipeline/warehouse/quarantine.go): a second row for an (asset, date) is a reject; the first is kept.
-- quarantine key: 1, 2
-- records: bundled_prices
select r.asset, r.price_date, r.close_usd, r.source as citation,
    m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_bundled_prices'), header = true, auto_detect = false,
    delim = ',', quote = '"', filename = true, columns = {
    asset: 'VARCHAR', price_date: 'VARCHAR', close_usd: 'VARCHAR', source: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
