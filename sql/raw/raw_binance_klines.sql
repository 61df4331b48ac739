-- Binance /api/v3/klines pages: arrays of [openTime ms, open, high, low,
-- close, volume, closeTime ms, ...], read as text. The symbol is in the
-- landed file name (<SYMBOL>_<startTime>.json).
-- records: binance_klines
select r.json as kline, m.name as _file_name, m.source as _source, m.fetched_at as _fetched_at
from read_json(getvariable('files_binance_klines'), format = 'array', records = false, filename = true,
    columns = {json: 'VARCHAR[]'}) r
join meta_landed_files m on m.path = r.filename
