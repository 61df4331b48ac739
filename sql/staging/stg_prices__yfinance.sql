-- yfinance daily closes in USD, one row per (file, day). The asset comes from
-- the file's Ticker row (ETH-USD -> ETH).
with src as (
    select * from raw_prices_yfinance
),

tickers as (
    select _file, c1 as ticker from src where c0 = 'Ticker'
),

rows as (
    select * from src where c0 not in ('Price', 'Ticker', 'Date')
)

select
    r._source as source,
    r.c0 || '|' || coalesce(t.ticker, '') as source_record_key,
    to_json(struct_pack(ticker := t.ticker, date := r.c0, close := r.c1))::varchar as record,
    upper(regexp_extract(t.ticker, '^(.*)-USD$', 1)) as asset,
    try_cast(r.c0 as date) as price_date,
    try_cast(r.c1 as double) as close_usd,
    case
        when t.ticker is null or not regexp_full_match(t.ticker, '.+-USD') then 'ticker is not a USD pair'
        when try_cast(r.c0 as date) is null then 'unparseable date'
        when try_cast(r.c0 as date) > r._fetched_at::date then 'date in the future'
        when try_cast(r.c1 as double) is null then 'unparseable close'
        when try_cast(r.c1 as double) <= 0 then 'non-positive close'
    end as reject_reason
from rows r
left join tickers t on t._file = r._file
