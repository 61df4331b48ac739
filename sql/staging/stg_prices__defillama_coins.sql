-- DeFiLlama coins prices in USD, one row per returned (coin, timestamp). The
-- source asks for the price nearest 12:00 UTC within 4 hours, so the UTC day
-- of the timestamp is the day priced. The asset comes from
-- seeds/coingecko_ids.csv (coin keys are coingecko:<id>).
with entries as (
    select _source, _fetched_at, unnest(map_entries(coins)) as e from raw_defillama_coins
),

points as (
    select _source, _fetched_at, e.key as coin_key, unnest(e.value.prices) as p from entries
),

typed as (
    select
        *,
        try_cast(p."timestamp" as bigint) as ts,
        try_cast(p.price as double) as close_usd
    from points
)

select
    t._source as source,
    t.coin_key || '|' || coalesce(t.p."timestamp", '') as source_record_key,
    to_json(struct_pack(coin := t.coin_key, "timestamp" := t.p."timestamp", price := t.p.price, confidence := t.p.confidence))::varchar as record,
    s.asset,
    to_timestamp(t.ts)::date as price_date,
    t.close_usd,
    case
        when s.asset is null then 'coin ' || t.coin_key || ' is not in seeds/coingecko_ids.csv'
        when t.ts is null then 'unparseable timestamp'
        when to_timestamp(t.ts) > t._fetched_at then 'timestamp in the future'
        else reject_price(t.close_usd, 'price')
    end as reject_reason
from typed t
left join seed_coingecko_ids s on 'coingecko:' || s.coingecko_id = t.coin_key
