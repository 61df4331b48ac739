-- Kaggle "Cryptocurrency Historical Prices" (CoinMarketCap) CSVs.
-- Duplicates (pipeline/warehouse/quarantine.go): a second row for a date in a file is a reject; the first is kept.
-- quarantine key: 4
-- records: prices_coinmarketcap
select r.SNo, r.Name, r.Symbol, r.Date, r.High, r.Low, r.Open, r.Close,
    r.Volume, r.Marketcap, m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_prices_coinmarketcap'), header = true, auto_detect = false,
    delim = ',', quote = '"', filename = true, columns = {
    SNo: 'VARCHAR', Name: 'VARCHAR', Symbol: 'VARCHAR', Date: 'VARCHAR', High: 'VARCHAR',
    Low: 'VARCHAR', Open: 'VARCHAR', Close: 'VARCHAR', Volume: 'VARCHAR', Marketcap: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
