-- ECB reference rates per day and currency, with the cross rate per USD.
-- Not sorted: each reader orders what it reads (the publish by rate_date and
-- currency, one row each), so sorting the table too was wasted work.
select
    rate_date,
    currency,
    per_eur,
    usd_per_eur,
    per_usd,
    source
from int_fx__daily
