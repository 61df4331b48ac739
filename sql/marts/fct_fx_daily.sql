-- ECB reference rates per day and currency, with the cross rate per USD.
select
    rate_date,
    currency,
    per_eur,
    usd_per_eur,
    per_usd,
    source
from int_fx__daily
order by rate_date, currency
