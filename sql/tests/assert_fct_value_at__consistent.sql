-- A re-valuation uses no price or rate from after its value date, and every
-- currency is the USD value at that day's cross rate.
select v.incident_id, v.currency
from fct_value_at v
join fct_value_at u on u.incident_id = v.incident_id and u.currency = 'USD'
where v.value_date < v.price_date
    or v.value_date < v.fx_rate_date
    -- u.amount is rounded to the cent, so allow half a cent at the rate.
    or abs(v.amount - u.amount * v.per_usd) > 0.01 + 0.005 * v.per_usd
