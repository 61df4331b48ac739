-- One rate per (day, currency) in units per EUR (ECB wins over the bundled
-- points), plus the cross rate per USD: currency-per-EUR / USD-per-EUR. EUR
-- itself is added as 1 per EUR.
with unioned as (
    select rate_date, currency, per_eur, source, 1 as precedence from stg_ecb__rates where reject_reason is null
    union all
    select rate_date, currency, per_eur, source, 2 from stg_bundled__fx where reject_reason is null
),

rates as (
    select rate_date, currency, per_eur, source
    from unioned
    qualify row_number() over (partition by rate_date, currency order by precedence, source) = 1
),

with_eur as (
    select * from rates
    union all
    select distinct rate_date, 'EUR', 1.0, source from rates where currency = 'USD'
)

select
    r.rate_date,
    r.currency,
    r.per_eur,
    u.per_eur as usd_per_eur,
    r.per_eur / u.per_eur as per_usd,
    r.source
from with_eur r
join rates u on u.rate_date = r.rate_date and u.currency = 'USD'
