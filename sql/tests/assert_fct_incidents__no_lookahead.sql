-- Prices and rates are never taken from after the theft date.
select incident_id, incident_date, price_date, fx_rate_date
from fct_incidents
where price_date > incident_date or fx_rate_date > incident_date
