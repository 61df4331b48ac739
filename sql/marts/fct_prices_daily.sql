-- Daily USD closes per asset, as used for valuation. Not sorted here:
-- publishing writes every dataset in its own order (output/datasets.go), so
-- sorting every price here was wasted work.
select
    asset,
    price_date,
    year(price_date)::integer as year,
    close_usd,
    source
from int_prices__daily
