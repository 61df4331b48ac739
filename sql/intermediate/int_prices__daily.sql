-- One USD close per (asset, day) across the price feeds. Where feeds overlap,
-- the first in this order wins: yfinance, CoinMarketCap (configured files of
-- exchange closes), Binance (USDT-quoted exchange closes), CoinGecko
-- (aggregated 00:00 UTC points), DeFiLlama coins (a price near 12:00 UTC,
-- fetched only for days nothing else covers), then the bundled points (which
-- were transcribed from the first two). feed names the staging model; the
-- rows carry its precedence until the end instead of its name, which DuckDB
-- stores apart from the row (less memory).
with unioned as materialized (
    select asset, price_date, close_usd, source, 1 as precedence from stg_prices__yfinance where reject_reason is null
    union all
    select asset, price_date, close_usd, source, 2 from stg_prices__coinmarketcap where reject_reason is null
    union all
    select asset, price_date, close_usd, source, 3 from stg_prices__binance where reject_reason is null
    union all
    select asset, price_date, close_usd, source, 4 from stg_prices__coingecko where reject_reason is null
    union all
    select asset, price_date, close_usd, source, 5 from stg_prices__defillama_coins where reject_reason is null
    union all
    select asset, price_date, close_usd, source, 6 from stg_bundled__prices where reject_reason is null
),

-- Only (asset, day) pairs with more than one row go through the window,
-- which is costly over every price and usually finds none. The pairs are
-- looked for only among the assets that have some day twice: a list of each
-- asset's days is cheaper than grouping every price by (asset, day). A null date
-- counts in count(*) but not in list_unique, so its asset takes the exact path.
dup_assets as (
    select asset from unioned group by asset having count(*) > list_unique(list(price_date))
),

candidates as (
    select * from unioned semi join dup_assets using (asset)
),

dups as (
    select asset, price_date from candidates group by all having count(*) > 1
),

picked as (
    select asset, price_date, close_usd, source, precedence
    from unioned
    anti join dup_assets using (asset)
    union all
    select asset, price_date, close_usd, source, precedence
    from candidates
    anti join dups using (asset, price_date)
    union all
    select asset, price_date, close_usd, source, precedence
    from candidates
    semi join dups using (asset, price_date)
    qualify row_number() over (partition by asset, price_date order by precedence, source) = 1
)

select
    asset,
    price_date,
    close_usd,
    source,
    case precedence
        when 1 then 'prices_yfinance'
        when 2 then 'prices_coinmarketcap'
        when 3 then 'binance_klines'
        when 4 then 'coingecko_market_chart'
        when 5 then 'defillama_coins'
        when 6 then 'bundled_prices'
    end as feed
from picked
