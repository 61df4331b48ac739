-- Daily USD closes per asset, as used for valuation.
select
    asset,
    price_date,
    year(price_date)::integer as year,
    close_usd,
    source
from int_prices__daily
order by asset, price_date
