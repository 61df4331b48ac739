-- Every staged record of every feed with its reject_reason (NULL when
-- accepted): the one list of staging models that the rejects output and the
-- row-count balance both read. A new feed is added here once.
-- A view, so the record text is only built for rejected records.
-- materialized: view
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
