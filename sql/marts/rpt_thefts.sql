-- The incidents the headline tables count (is_theft), each marked in_ytd when
-- its month and day fall on or before the as-of date's: a partial year's YoY
-- compares its year-to-date with the same part of the year before, never
-- with a whole year. Not published; the annual tables read it.
select
    i.*,
    strftime(i.incident_date, '%m-%d') <= strftime(a.as_of_date, '%m-%d') as in_ytd,
    a.as_of_date
from fct_incidents i
cross join int_as_of a
where i.is_theft
