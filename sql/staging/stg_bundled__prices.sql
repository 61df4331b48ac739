-- Bundled price points: asset, day, USD close and where the figure came from.
select
    _source as source,
    asset || '|' || price_date as source_record_key,
    to_json(struct_pack(asset, price_date, close_usd, citation))::varchar as record,
    upper(trim(asset)) as asset,
    try_cast(price_date as date) as price_date,
    try_cast(close_usd as double) as close_usd,
    citation,
    case
        when nullif(trim(asset), '') is null then 'missing asset'
        when try_cast(price_date as date) is null then 'unparseable date'
        when try_cast(close_usd as double) is null or try_cast(close_usd as double) <= 0 then 'missing or non-positive close'
        when not isfinite(try_cast(close_usd as double)) or try_cast(close_usd as double) >= 1e7 then 'close not finite or above the plausible bound (USD 10 million per unit)'
    end as reject_reason
from raw_bundled_prices
