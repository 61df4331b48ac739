-- DeFiLlama coins /batchHistorical responses: {"coins": {"coingecko:<id>":
-- {"symbol", "prices": [{"timestamp" (unix s), "price", "confidence"}]}}},
-- one row per response, numbers read as text.
select r.coins, m.source as _source, m.fetched_at as _fetched_at
from read_json(getvariable('files_defillama_coins'), format = 'auto', filename = true, columns = {
    coins: 'MAP(VARCHAR, STRUCT(symbol VARCHAR, prices STRUCT("timestamp" VARCHAR, price VARCHAR, confidence VARCHAR)[]))'
}) r
join meta_landed_files m on m.path = r.filename
