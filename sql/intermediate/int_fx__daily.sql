-- One rate per (day, currency) with the cross rate per USD. Where sources
-- overlap on a (day, currency), the first in this order wins: the ECB
-- reference rates from eurofxref-hist (1), the same rates from the ECB data
-- API (2), FRED (3; noon New York buying rates, quoted against USD, which fill
-- US business days the ECB does not publish), then the bundled ECB points (4).
-- ECB rates are units per EUR: per_usd = per_eur / (USD per EUR that day).
-- FRED rates are units per USD: per_eur is filled only when FRED's own EUR
-- series (DEXUSEU) has the same day. EUR is added as 1 per EUR.
with eur_unioned as (
    select rate_date, currency, per_eur, source, 1 as precedence from stg_ecb__rates where reject_reason is null
    union all
    select rate_date, currency, per_eur, source, 2 from stg_ecb__data_api where reject_reason is null
    union all
    select rate_date, currency, per_eur, source, 4 from stg_bundled__fx where reject_reason is null
),

eur_rates as (
    select rate_date, currency, per_eur, source, precedence
    from eur_unioned
    qualify row_number() over (partition by rate_date, currency order by precedence, source) = 1
),

ecb as (
    select r.rate_date, r.currency, r.per_eur, u.per_eur as usd_per_eur, r.per_eur / u.per_eur as per_usd, r.source, r.precedence
    from (
        select * from eur_rates
        union all
        select rate_date, 'EUR', 1.0, source, precedence from eur_rates where currency = 'USD'
    ) r
    join eur_rates u on u.rate_date = r.rate_date and u.currency = 'USD'
),

fred_rates as (
    select rate_date, currency, per_usd, source
    from stg_fred__rates
    where reject_reason is null
    qualify row_number() over (partition by rate_date, currency order by source) = 1
),

fred as (
    select
        f.rate_date,
        f.currency,
        case when f.currency = 'EUR' then 1.0 else f.per_usd / e.per_usd end as per_eur,
        1 / e.per_usd as usd_per_eur,
        f.per_usd,
        f.source,
        3 as precedence
    from fred_rates f
    left join fred_rates e on e.rate_date = f.rate_date and e.currency = 'EUR'
)

select rate_date, currency, per_eur, usd_per_eur, per_usd, source
from (select * from ecb union all select * from fred)
qualify row_number() over (partition by rate_date, currency order by precedence, source) = 1
