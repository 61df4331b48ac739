-- Plausibility (docs/operations.md): a rate more than 10x away from more
-- than half of its currency's nearest rates (two days before, two after) is
-- a corrupted cell, not a market move, and would bend every figure
-- converted at it. A majority, so that one bad day does not condemn its
-- neighbours; lag and lead share one sort. rates names a relation with
-- source, currency, rate_date, per_eur and reject_reason; this returns it
-- with the outliers' reject_reason set.
create or replace temp macro reject_rate_outliers(rates) as table
select * exclude (far, near, ok_rate) replace (
    coalesce(reject_reason, case
        when 2 * far > near then 'rate more than 10x away from the neighbouring days'' rates'
    end) as reject_reason
)
from (
    select
        *,
        coalesce(greatest(per_eur / lag(ok_rate, 2) over w, lag(ok_rate, 2) over w / per_eur) > 10, false)::int
            + coalesce(greatest(per_eur / lag(ok_rate) over w, lag(ok_rate) over w / per_eur) > 10, false)::int
            + coalesce(greatest(per_eur / lead(ok_rate) over w, lead(ok_rate) over w / per_eur) > 10, false)::int
            + coalesce(greatest(per_eur / lead(ok_rate, 2) over w, lead(ok_rate, 2) over w / per_eur) > 10, false)::int as far,
        (lag(ok_rate, 2) over w is not null)::int + (lag(ok_rate) over w is not null)::int
            + (lead(ok_rate) over w is not null)::int + (lead(ok_rate, 2) over w is not null)::int as near
    from (select *, case when reject_reason is null then per_eur end as ok_rate from query_table(rates))
    window w as (partition by source, currency order by rate_date)
)
