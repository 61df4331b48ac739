-- CoinGecko /coins/{id}/market_chart/range responses: prices is a list of
-- [timestamp ms, price], read as text. The coin id is the landed file name
-- (<coin id>.json).
select r.prices, m.name as _file_name, m.source as _source, m.fetched_at as _fetched_at
from read_json(getvariable('files_coingecko_market_chart'), format = 'auto', filename = true,
    columns = {prices: 'VARCHAR[][]'}) r
join meta_landed_files m on m.path = r.filename
