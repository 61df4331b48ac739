-- yfinance daily closes in USD, one row per (file, day). The asset comes from
-- the file's Ticker row (ETH-USD -> ETH).
-- Not materialized: read twice, a materialized CTE kept the optimizer from
-- dropping the columns a reader does not use (computing record for every
-- price row when int_prices__daily reads the view).
with src as not materialized (
    select * from raw_prices_yfinance
),

-- The asset and the pair check are per file, not per price row: the
-- regular expressions were most of this view's cost.
tickers as (
    select
        _file_index,
        c1 as ticker,
        upper(regexp_extract(c1, '^(.*)-USD$', 1)) as asset,
        regexp_full_match(c1, '.+-USD') as usd_pair,
        _fetched_at::date as fetch_day
    from src
    where c0 = 'Ticker'
),

-- Each cast once per row, not once per use.
rows as (
    select *, try_cast(c0 as date) as price_date, try_cast(c1 as double) as close_usd
    -- An empty date is a record to reject, not a header row.
    from src where coalesce(c0, '') not in ('Price', 'Ticker', 'Date')
),

classified as (
    select
        r._source as source,
        coalesce(r.c0, '') || '|' || coalesce(t.ticker, '') as source_record_key,
        t.ticker,
        r.c0,
        r.c1,
        t.asset,
        r.price_date,
        r.close_usd,
        case
            when t.ticker is null or not t.usd_pair then 'ticker is not a USD pair'
            when r.price_date is null then 'unparseable date'
            when r.price_date > t.fetch_day then 'date in the future'
            else reject_price(r.close_usd, 'close')
        end as reject_reason
    from rows r
    left join tickers t on t._file_index = r._file_index
)

-- record is only built for rejected rows (the rejects output is its one
-- reader), so counting accepted and rejected rows in one pass
-- (int_records__all) does not build it for every accepted row.
select
    source,
    source_record_key,
    case when reject_reason is not null
        then to_json(struct_pack(ticker := ticker, date := c0, close := c1))::varchar end as record,
    asset,
    price_date,
    close_usd,
    reject_reason
from classified
