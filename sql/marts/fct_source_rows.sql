-- Records in, accepted and rejected per source and feed format. rows_in is
-- counted from the raw tables, the other two from staging, so a record lost
-- between them shows up (sql/tests checks rows_in = accepted + rejected).
-- Lines the load's quarantine kept out of the raw tables count in both
-- rows_in and rejected.
with raw_counts as (
    select _source as source, 'defillama_hacks' as feed, count(*) as rows_in from raw_defillama_hacks group by all
    union all
    select _source, 'curated_incidents', count(*) from raw_curated_incidents group by all
    union all
    -- An empty date is a record (rejected in staging), not a header row.
    select _source, 'prices_yfinance', count(*) from raw_prices_yfinance where coalesce(c0, '') not in ('Price', 'Ticker', 'Date') group by all
    union all
    select _source, 'prices_coinmarketcap', count(*) from raw_prices_coinmarketcap group by all
    union all
    select _source, 'bundled_prices', count(*) from raw_bundled_prices group by all
    union all
    select _source, 'bundled_fx', count(*) from raw_bundled_fx group by all
    union all
    select _source, 'slowmist_hacked', count(*) from raw_slowmist_hacked group by all
    union all
    select _source, 'defi_rekt', count(*) from raw_defi_rekt group by all
    union all
    select _source, 'blocksec_events', count(*) from raw_blocksec_events group by all
    union all
    -- The live forms of the two exports are staged with them, under their feed.
    select _source, 'slowmist_hacked', count(*) from raw_slowmist_html group by all
    union all
    select _source, 'defi_rekt', count(*) from raw_defi_rekt_api group by all
    union all
    select _source, 'defihacklabs', count(*) from raw_defihacklabs group by all
    union all
    -- An sdn.csv record here is one "Digital Currency Address - " mention in
    -- Remarks (the entries without one carry no address to match).
    select _source, 'ofac_sdn_csv', sum(len(string_split(remarks, 'Digital Currency Address - ')) - 1)
    from raw_ofac_sdn_csv group by all
    union all
    select _source, 'ofac_addresses', count(*) from raw_ofac_addresses group by all
    union all
    select _source, 'dn_institute', count(*) from raw_dn_institute group by all
    union all
    select _source, 'rekt_news', count(*) from raw_rekt_news group by all
    union all
    -- ECB records are (day, currency) observations: every non-empty,
    -- non-'N/A' cell of the data rows, counted per column and summed (an
    -- unpivot to one row per cell took 45-70 ms of the real snapshot, this
    -- 25-30 ms). A source with no observation has no row, as with the unpivot.
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
    -- FRED records are days with a value ('.' and empty mean none).
    select _source, 'fred_fredgraph', count(*) from raw_fred_fredgraph
    where c0 not in ('DATE', 'observation_date') and coalesce(trim(c1), '') not in ('', '.')
    group by all
    union all
    select _source, 'ecb_data_api', count(*)
    from (select _source, list_value(*columns('^c[0-9]+$')) as cells from raw_ecb_data_api)
    where not list_contains(cells, 'TIME_PERIOD')
    group by all
    union all
    select _source, 'binance_klines', count(*) from raw_binance_klines group by all
    union all
    select _source, 'coingecko_market_chart', sum(len(prices)) from raw_coingecko_market_chart group by all
    union all
    select _source, 'defillama_coins', sum(len(e.value.prices))
    from (select _source, unnest(map_entries(coins)) as e from raw_defillama_coins)
    group by all
    union all
    select _source, 'ofac_sdn_advanced', count(*) from raw_ofac_sdn_advanced group by all
    union all
    select source, feed, count(*) from stg_load__rejects group by all
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

select
    r.source,
    r.feed,
    r.rows_in,
    coalesce(s.accepted, 0) as accepted,
    coalesce(s.rejected, 0) as rejected
from raw_totals r
left join staged s using (source, feed)
order by r.source, r.feed
