-- Binance daily candles, USDT-quoted closes taken as USD (USDT has held within
-- about 1% of USD outside stress days). The asset is the symbol without USDT.
-- A candle still open at fetch time has no close yet and is rejected.
with src as (
    select *, split_part(_file_name, '_', 1) as symbol from raw_binance_klines
),

typed as (
    select
        *,
        try_cast(kline[1] as bigint) as open_ms,
        try_cast(kline[7] as bigint) as close_ms,
        try_cast(kline[5] as double) as close_usd
    from src
)

select
    _source as source,
    symbol || '|' || coalesce(kline[1], '') as source_record_key,
    to_json(struct_pack(symbol, kline))::varchar as record,
    nullif(regexp_extract(symbol, '^([A-Z0-9]+)USDT$', 1), '') as asset,
    epoch_ms(open_ms)::date as price_date,
    close_usd,
    case
        when not regexp_full_match(symbol, '[A-Z0-9]+USDT') then 'file name does not start with a USDT pair symbol'
        when open_ms is null then 'unparseable openTime'
        when open_ms % 86400000 <> 0 then 'not a daily candle opening at 00:00 UTC'
        when close_ms is null or epoch_ms(close_ms) > _fetched_at then 'candle not closed when fetched'
        else reject_price(close_usd, 'close')
    end as reject_reason
from typed
