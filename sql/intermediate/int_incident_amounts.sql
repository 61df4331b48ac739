-- Each incident's USD value in every published currency, at the ECB cross
-- rate of the theft date, or of the latest earlier ECB day (weekends and
-- holidays), with the rate's date kept.
with wanted as (
    select i.incident_id, i.incident_date, i.amount_usd, c.currency
    from int_incidents__valued i
    cross join (select unnest(getvariable('currencies')) as currency) c
)

select
    w.incident_id,
    w.currency,
    fx.per_usd,
    fx.rate_date as fx_rate_date,
    round(w.amount_usd * fx.per_usd, 2)::decimal(18, 2) as amount
from wanted w
asof left join int_fx__daily fx on fx.currency = w.currency and w.incident_date >= fx.rate_date
