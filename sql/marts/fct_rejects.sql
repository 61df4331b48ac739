-- Every input record that could not be used, with its source and reason.
with rejects as (
    select source, 'defillama_hacks' as feed, source_record_key, record, reject_reason from stg_defillama__hacks
    union all
    select source, 'curated_incidents', source_record_key, record, reject_reason from stg_curated__incidents
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
)

select source, feed, source_record_key, reject_reason as reason, record
from rejects
where reject_reason is not null
order by source, feed, source_record_key, record
