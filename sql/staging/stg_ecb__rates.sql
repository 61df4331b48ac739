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
    -- trim is most of this filter's cost (with source_record_key built only
    -- for rejects below: 112-168 -> 106-111 ms on the real snapshot).
    where c.c0 is distinct from 'Date' and c.cell <> 'N/A' and trim(c.cell) not in ('', 'N/A')
),

classified as (
    select
        o._source as source,
        o.c0 || '|' || h.currency as source_record_key,
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

-- Plausibility (docs/operations.md): a rate more than 10x away from both
-- the previous and the next rate of its currency (from its one neighbour at
-- either end) is a corrupted cell, not a market move, and would bend every
-- figure converted at it.
neighbours as (
    select *, lag(per_eur) over w as prev_rate, lead(per_eur) over w as next_rate
    from classified
    where reject_reason is null
    window w as (partition by source, currency order by rate_date)
),

checked as (
    select * from classified where reject_reason is not null
    union all
    select * exclude (prev_rate, next_rate) replace (
        case
            when (prev_rate is not null or next_rate is not null)
                and coalesce(greatest(per_eur / prev_rate, prev_rate / per_eur) > 10, true)
                and coalesce(greatest(per_eur / next_rate, next_rate / per_eur) > 10, true)
                then 'rate more than 10x away from the neighbouring days'' rates'
        end as reject_reason
    )
    from neighbours
)

-- record and source_record_key are only built for rejected rows (the
-- rejects output is their one reader), so int_records__all counting every
-- row does not build them.
select
    source,
    case when reject_reason is not null then source_record_key end as source_record_key,
    case when reject_reason is not null
        then to_json(struct_pack(date := c0, currency := currency, value := cell))::varchar end as record,
    rate_date,
    currency,
    per_eur,
    reject_reason
from checked
