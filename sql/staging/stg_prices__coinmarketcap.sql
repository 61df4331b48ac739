-- CoinMarketCap (Kaggle) daily closes in USD. Date may carry a time of day,
-- which is dropped: the close is the day's last price in UTC.
with src as (
    select * from raw_prices_coinmarketcap
)

select
    _source as source,
    Symbol || '|' || Date as source_record_key,
    to_json(struct_pack(Symbol, Date, Close))::varchar as record,
    upper(trim(Symbol)) as asset,
    try_cast(left(trim(Date), 10) as date) as price_date,
    try_cast(Close as double) as close_usd,
    case
        when nullif(trim(Symbol), '') is null then 'missing symbol'
        when try_cast(left(trim(Date), 10) as date) is null then 'unparseable date'
        when try_cast(left(trim(Date), 10) as date) > _fetched_at::date then 'date in the future'
        else reject_price(try_cast(Close as double), 'close')
    end as reject_reason
from src
