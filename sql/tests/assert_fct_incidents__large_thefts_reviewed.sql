-- severity: warn
-- Every theft of $50M or more at the theft date has a review (the largest
-- incidents make the totals). A warning, not a failure: a live feed can
-- report a new large theft before anyone has reviewed it; the release notes
-- name it, and on the snapshot the test must return nothing.
select incident_id, incident_date, victim, amount_usd
from fct_incidents
where is_theft and amount_usd >= 50000000 and not is_reviewed
order by amount_usd desc, incident_id
