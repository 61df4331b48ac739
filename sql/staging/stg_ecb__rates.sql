-- ECB reference rates, long: one row per (day, currency) observation, units
-- of the currency per 1 EUR. 'N/A' (discontinued currency) and empty cells are
-- not observations; any other value that is not a positive number is rejected.
-- A table: int_fx__daily and int_records__all both read it, and the unpivot
-- of the 64 currency columns is most of the real snapshot's staging cost.
-- materialized: table
-- Its CTEs are not materialized: a materialized CTE kept the optimizer from
-- dropping the columns a reader does not use.
with src as not materialized (
    select * from raw_ecb_eurofxref
),

cells as not materialized (
    unpivot src on columns('^c([1-9]|[1-5][0-9]|6[0-3])$') into name col value cell
),

header as (
    -- The fetch day per file, not per cell (a time-zone conversion).
    select _source, col, trim(cell) as currency, _fetched_at::date as fetch_day from cells where c0 = 'Date'
),

observations as (
    select c._source, c.c0, c.col, trim(c.cell) as cell, c._fetched_at
    from cells c
    -- The untrimmed test first: 'N/A' is about a quarter of the cells, and
    -- trim is most of this filter's cost (source_record_key is built only
    -- for rejects below).
    where c.c0 is distinct from 'Date' and c.cell <> 'N/A' and trim(c.cell) not in ('', 'N/A')
),

classified as (
    select
        o._source as source,
        o.c0,
        o.cell,
        try_cast(o.c0 as date) as rate_date,
        h.currency,
        try_cast(o.cell as double) as per_eur,
        case
            when h.currency is null or h.currency = '' then 'value in a column without a currency header'
            when try_cast(o.c0 as date) is null then 'unparseable date'
            when try_cast(o.c0 as date) > h.fetch_day then 'date in the future'
            when try_cast(o.cell as double) is null then 'unparseable rate'
            when not isfinite(try_cast(o.cell as double)) then 'rate is not a finite number'
            when try_cast(o.cell as double) <= 0 then 'non-positive rate'
        end as reject_reason
    from observations o
    left join header h on h._source = o._source and h.col = o.col
),

-- Plausibility (docs/operations.md): a rate more than 10x away from more
-- than half of its currency's nearest rates (two days before, two after) is
-- a corrupted cell, not a market move, and would bend every figure
-- converted at it. A majority, so that one bad day does not condemn its
-- neighbours; lag and lead share one sort.
neighbours as (
    select
        *,
        coalesce(greatest(per_eur / lag(ok_rate, 2) over w, lag(ok_rate, 2) over w / per_eur) > 10, false)::int
            + coalesce(greatest(per_eur / lag(ok_rate) over w, lag(ok_rate) over w / per_eur) > 10, false)::int
            + coalesce(greatest(per_eur / lead(ok_rate) over w, lead(ok_rate) over w / per_eur) > 10, false)::int
            + coalesce(greatest(per_eur / lead(ok_rate, 2) over w, lead(ok_rate, 2) over w / per_eur) > 10, false)::int as far,
        (lag(ok_rate, 2) over w is not null)::int + (lag(ok_rate) over w is not null)::int
            + (lead(ok_rate) over w is not null)::int + (lead(ok_rate, 2) over w is not null)::int as near
    from (select *, case when reject_reason is null then per_eur end as ok_rate from classified)
    window w as (partition by source, currency order by rate_date)
),

checked as (
    select * exclude (far, near, ok_rate) replace (
        coalesce(reject_reason, case
            when 2 * far > near then 'rate more than 10x away from the neighbouring days'' rates'
        end) as reject_reason
    )
    from neighbours
)

-- record and source_record_key are only built for rejected rows (the
-- rejects output is their one reader), so int_records__all counting every
-- row does not build them.
select
    source,
    case when reject_reason is not null then c0 || '|' || currency end as source_record_key,
    case when reject_reason is not null
        then to_json(struct_pack(date := c0, currency := currency, value := cell))::varchar end as record,
    rate_date,
    currency,
    per_eur,
    reject_reason
from checked
