-- Each incident's value in every published currency (long form).
select
    incident_id,
    currency,
    amount,
    per_usd,
    fx_rate_date
from int_incident_amounts
order by incident_id, currency
