-- One USD close per (asset, day) across the price feeds. Where feeds overlap,
-- yfinance wins over CoinMarketCap, and both win over the bundled points
-- (which were transcribed from them).
with unioned as (
    select asset, price_date, close_usd, source, 1 as precedence from stg_prices__yfinance where reject_reason is null
    union all
    select asset, price_date, close_usd, source, 2 from stg_prices__coinmarketcap where reject_reason is null
    union all
    select asset, price_date, close_usd, source, 3 from stg_bundled__prices where reject_reason is null
)

select asset, price_date, close_usd, source
from unioned
qualify row_number() over (partition by asset, price_date order by precedence, source) = 1
