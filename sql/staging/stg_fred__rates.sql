-- FRED daily exchange rates, long: one row per (day, series) observation,
-- as units of the currency per 1 USD (seeds/fred_series.csv says which
-- currency a series is and which way it is quoted; DEXUSUK is USD per GBP).
-- '.' (old downloads) and empty cells (current fredgraph.csv) mean no
-- observation that day: they are not records.
with src as (
    select * from raw_fred_fredgraph
),

header as (
    select _file, trim(c1) as series from src where c0 in ('DATE', 'observation_date')
),

observations as (
    select * from src
    where c0 not in ('DATE', 'observation_date') and coalesce(trim(c1), '') not in ('', '.')
)

select
    o._source as source,
    o.c0 || '|' || coalesce(h.series, '') as source_record_key,
    to_json(struct_pack(date := o.c0, series := h.series, value := o.c1))::varchar as record,
    try_cast(o.c0 as date) as rate_date,
    s.currency,
    h.series,
    case
        when try_cast(o.c1 as double) > 0 and s.quote = 'usd_per_unit' then 1 / try_cast(o.c1 as double)
        when try_cast(o.c1 as double) > 0 and s.quote = 'units_per_usd' then try_cast(o.c1 as double)
    end as per_usd,
    case
        when s.series is null then 'series ' || coalesce(h.series, '(no header)') || ' is not in seeds/fred_series.csv'
        when try_cast(o.c0 as date) is null then 'unparseable date'
        when try_cast(o.c0 as date) > o._fetched_at::date then 'date in the future'
        else reject_positive_number(try_cast(o.c1 as double), 'rate')
    end as reject_reason
from observations o
left join header h on h._file = o._file
left join seed_fred_series s on s.series = h.series
