-- The (asset, day) pairs the incidents need priced that no price feed covers
-- within max_price_age_days (the bundled points do not count: they are the
-- last resort). An asset priced through an equivalent (WETH as ETH) needs the
-- equivalent; a pegged stablecoin needs its own series. Only assets with a
-- CoinGecko id (seeds/coingecko_ids.csv) can be asked for. The pipeline hands
-- these pairs to the demand-driven price sources (defillama_coins,
-- coingecko_chart) before the final build.
-- A view: only that demand build reads it, and as a table the final build
-- computed it for nothing (an as-of join over every price).
-- materialized: view
with claims as (
    select c.incident_date, c.stolen_assets
    from stg_curated__incidents c
    where c.reject_reason is null and c.stolen_assets is not null
    union all
    -- Reviews before matching: the demand build runs before the incidents
    -- exist. A review matches feeds dated up to 7 days before it and is
    -- priced at the earlier date, so the week before is asked for too.
    select try_cast(trim(incident_date) as date) - d.days, trim(stolen_assets)
    from seed_incident_reviews, (values (0), (7)) as d(days)
    where lower(trim(decision)) = 'native' and nullif(trim(stolen_assets), '') is not null
),

items as (
    select incident_date, upper(split_part(trim(unnest(string_split(stolen_assets, ';'))), ' ', 2)) as asset
    from claims
    where incident_date is not null
),

wanted as (
    select distinct
        i.incident_date,
        coalesce(case when upper(e.priced_as) <> 'USD' then upper(e.priced_as) end, i.asset) as asset
    from items i
    left join seed_asset_equivalence e on upper(e.asset) = i.asset
),

feeds as (
    select asset, price_date from int_prices__daily where feed <> 'bundled_prices'
),

covered as (
    select w.asset, w.incident_date, p.price_date
    from wanted w
    asof left join feeds p on p.asset = w.asset and w.incident_date >= p.price_date
)

select c.asset, s.coingecko_id, c.incident_date as need_date
from covered c
join seed_coingecko_ids s on s.asset = c.asset
where c.price_date is null or c.incident_date - c.price_date > getvariable('max_price_age_days')
order by c.asset, c.incident_date
