-- Each incident's value in every published currency (long form). Unsorted:
-- publishing orders every dataset (output/datasets.go).
select
    incident_id,
    currency,
    amount,
    per_usd,
    fx_rate_date
from int_incident_amounts
