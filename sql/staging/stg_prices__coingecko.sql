-- CoinGecko market_chart/range daily points in USD. A point at 00:00 UTC is
-- the price at the end of the previous day, so it is that day's close; any
-- other point (the live "now" point that ends a range) is not a daily close
-- and is rejected. The asset comes from seeds/coingecko_ids.csv.
with src as (
    select _source, _fetched_at, regexp_extract(_file_name, '^(.+)\.json$', 1) as coin, unnest(prices) as point
    from raw_coingecko_market_chart
),

typed as (
    select *, try_cast(point[1] as bigint) as ms, try_cast(point[2] as double) as close_usd from src
)

select
    t._source as source,
    t.coin || '|' || coalesce(t.point[1], '') as source_record_key,
    to_json(struct_pack(coin := t.coin, point := t.point))::varchar as record,
    s.asset,
    epoch_ms(t.ms)::date - 1 as price_date,
    t.close_usd,
    case
        when s.asset is null then 'coin ' || t.coin || ' is not in seeds/coingecko_ids.csv'
        when t.ms is null then 'unparseable timestamp'
        when t.ms % 86400000 <> 0 then 'not a 00:00 UTC daily point'
        when epoch_ms(t.ms) > t._fetched_at then 'timestamp in the future'
        else reject_price(t.close_usd, 'price')
    end as reject_reason
from typed t
left join seed_coingecko_ids s on s.coingecko_id = t.coin
