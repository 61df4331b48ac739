-- valuation_method says what amount_usd is: the priced native value (with
-- its price date) or the reported figure; unvalued means no amount at all.
select incident_id, valuation_method, amount_usd
from fct_incidents
where valuation_method not in ('native_at_theft_date', 'reported_usd', 'unvalued')
    or (valuation_method = 'unvalued') <> (amount_usd is null)
    or (valuation_method = 'native_at_theft_date' and (price_date is null or amount_usd <> native_value_usd))
    or (valuation_method = 'reported_usd' and amount_usd <> reported_usd)
