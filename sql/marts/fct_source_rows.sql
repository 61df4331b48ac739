-- Records in, accepted and rejected per source and feed format. rows_in is
-- counted from the raw tables, the other two from staging, so a record lost
-- between them shows up (sql/tests checks rows_in = accepted + rejected).
-- Lines the load's quarantine kept out of the raw tables count in both
-- rows_in and rejected.
-- Raw models whose rows are one record each say so in a "-- records: <feed>"
-- header, and the load counts them (meta_raw_records); the others are
-- counted here.
with raw_records as (
    -- An empty date is a record (rejected in staging), not a header row.
    select _source, 'prices_yfinance' as feed from raw_prices_yfinance where coalesce(c0, '') not in ('Price', 'Ticker', 'Date')
    -- FRED records are days with a value ('.' and empty mean none).
    union all select _source, 'fred_fredgraph' from raw_fred_fredgraph
        where c0 not in ('DATE', 'observation_date') and coalesce(trim(c1), '') not in ('', '.')
    union all select source, feed from stg_load__rejects
),

-- Where a raw row is not one record, the records are counted their own way.
raw_counts as (
    select source, feed, records as rows_in from meta_raw_records
    union all
    select _source, feed, count(*) from raw_records group by all
    union all
    -- An sdn.csv record here is one "Digital Currency Address - " mention in
    -- Remarks (the entries without one carry no address to match).
    select _source, 'ofac_sdn_csv', sum(len(string_split(remarks, 'Digital Currency Address - ')) - 1)
    from raw_ofac_sdn_csv group by all
    union all
    -- ECB records are (day, currency) observations: every non-empty,
    -- non-'N/A' cell of the data rows, counted per column and summed (cheaper
    -- than an unpivot to one row per cell). A source with no observation has no row.
    select _source, 'ecb_eurofxref', observations
    from (
        select _source, list_sum(list_value(*columns('^c([1-9]|[1-5][0-9]|6[0-3])$'))) as observations
        from (
            select _source, count_if(trim(columns('^c([1-9]|[1-5][0-9]|6[0-3])$')) not in ('', 'N/A'))
            from raw_ecb_eurofxref
            where c0 is distinct from 'Date'
            group by all
        )
    )
    where observations > 0
    union all
    select _source, 'ecb_data_api', count(*)
    from (select _source, list_value(*columns('^c[0-9]+$')) as cells from raw_ecb_data_api)
    where not list_contains(cells, 'TIME_PERIOD')
    group by all
    union all
    select _source, 'coingecko_market_chart', sum(len(prices)) from raw_coingecko_market_chart group by all
    union all
    select _source, 'defillama_coins', sum(len(e.value.prices))
    from (select _source, unnest(map_entries(coins)) as e from raw_defillama_coins)
    group by all
),

raw_totals as (
    select source, feed, sum(rows_in)::bigint as rows_in from raw_counts group by all
),

staged as (
    select
        source,
        feed,
        coalesce(sum(records) filter (where reject_reason is null), 0)::bigint as accepted,
        coalesce(sum(records) filter (where reject_reason is not null), 0)::bigint as rejected
    from (
        select source, feed, records, reject_reason from int_records__all
        union all
        select source, feed, 1, reject_reason from stg_load__rejects
    )
    group by all
)

-- A full join, so staged records with no raw count unbalance the row too.
select
    source,
    feed,
    coalesce(r.rows_in, 0) as rows_in,
    coalesce(s.accepted, 0) as accepted,
    coalesce(s.rejected, 0) as rejected
from raw_totals r
full join staged s using (source, feed)
order by source, feed
