-- valuation_method says what amount_usd is: the priced native value (with
-- its price date), a reviewed figure (with its citation), the median of the
-- feeds' disputed figures, or the feed figure; unvalued means no amount.
select incident_id, valuation_method, amount_usd
from fct_incidents
where valuation_method not in ('native_at_theft_date', 'reviewed_usd', 'median_of_feeds', 'reported_usd', 'unvalued')
    or (valuation_method = 'unvalued') <> (amount_usd is null)
    or (valuation_method = 'native_at_theft_date' and (price_date is null or amount_usd <> native_value_usd))
    or (valuation_method = 'reviewed_usd' and amount_citation is null)
    or (valuation_method = 'median_of_feeds' and not (list_contains(flags, 'amount_disputed')
        and amount_usd between reported_usd_low and reported_usd_high))
    or (valuation_method = 'reported_usd' and amount_usd <> reported_usd)
