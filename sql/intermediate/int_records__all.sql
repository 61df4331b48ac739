-- Every staged record of every feed, in one pass over the staging models:
-- the rejected records one row each (records = 1, or the number of identical
-- copies), the accepted ones only counted, one row per (source, feed) with
-- NULL key and record. The rejects output and the row-count balance both
-- read it, so each staging model runs once for the two instead of once per
-- reader. A new incident feed needs no line here (int_incident_records__staged).
with staged as (
    -- Every incident feed, through the one union of their staging models.
    select source, format as feed, source_record_key, record, reject_reason from int_incident_records__staged
    union all
    select source, 'ecb_eurofxref', source_record_key, record, reject_reason from stg_ecb__rates
    union all
    select source, 'prices_yfinance', source_record_key, record, reject_reason from stg_prices__yfinance
    union all
    select source, 'prices_coinmarketcap', source_record_key, record, reject_reason from stg_prices__coinmarketcap
    union all
    select source, 'bundled_prices', source_record_key, record, reject_reason from stg_bundled__prices
    union all
    select source, 'bundled_fx', source_record_key, record, reject_reason from stg_bundled__fx
    union all
    select source, 'fred_fredgraph', source_record_key, record, reject_reason from stg_fred__rates
    union all
    select source, 'ecb_data_api', source_record_key, record, reject_reason from stg_ecb__data_api
    union all
    select source, 'binance_klines', source_record_key, record, reject_reason from stg_prices__binance
    union all
    select source, 'coingecko_market_chart', source_record_key, record, reject_reason from stg_prices__coingecko
    union all
    select source, 'defillama_coins', source_record_key, record, reject_reason from stg_prices__defillama_coins
    union all
    select _source, 'ofac_sdn_advanced', source_record_key, record, reject_reason from stg_ofac__sdn_advanced
    union all
    select _source, 'ofac_sdn_csv', source_record_key, record, reject_reason from stg_ofac__sdn_csv
    union all
    select _source, 'ofac_addresses', source_record_key, record, reject_reason from stg_ofac__addresses
)

select
    source,
    feed,
    reject_reason,
    -- The CASEs keep the accepted rows in one group per feed; record is
    -- built by the staging models only for rejected rows.
    case when reject_reason is not null then source_record_key end as source_record_key,
    case when reject_reason is not null then record end as record,
    count(*) as records
from staged
group by all
