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
            else reject_positive_number(try_cast(o.cell as double), 'rate')
        end as reject_reason
    from observations o
    left join header h on h._source = o._source and h.col = o.col
),

-- A rate far from its neighbouring days' rates is rejected too.
checked as (
    select * from reject_rate_outliers('classified')
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
