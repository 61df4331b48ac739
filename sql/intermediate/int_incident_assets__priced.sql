-- The native assets of each incident (int_incident_asset_claims: a review's
-- or the curated list's), each priced in
-- USD on the theft date: the asset's own series as of that day, else the series
-- of the asset it is equivalent to (seed_asset_equivalence), else its USD peg.
-- A price older than max_price_age_days does not count (USDT's series ends
-- in 2021: later days fall through to the peg).
with items as (
    select
        incident_id,
        incident_date,
        unnest(string_split(stolen_assets, ';')) as item,
        unnest(range(1, len(string_split(stolen_assets, ';')) + 1)) as asset_ordinal
    from int_incident_asset_claims
),

assets as (
    select
        incident_id,
        incident_date,
        asset_ordinal::integer as asset_ordinal,
        upper(split_part(trim(item), ' ', 2)) as asset,
        cast(split_part(trim(item), ' ', 1) as double) as quantity
    from items
),

-- The as-of join sorts its whole right side. It only needs the prices in
-- the (max_price_age_days + 1)-day bucket of an item's day or the one before
-- (buckets are at least that long, so they hold every price young enough to
-- count); an older one it may find instead is never used (resolved), so the
-- rows are the same, without an as-of over every price.
buckets as (
    select distinct asset, (incident_date - date '1970-01-01') // (getvariable('max_price_age_days')::bigint + 1) - k as bucket
    from assets, (values (0), (1)) as t(k)
),

near as (
    select p.* from int_prices__daily p
    semi join buckets b on b.asset = p.asset
        and b.bucket = (p.price_date - date '1970-01-01') // (getvariable('max_price_age_days')::bigint + 1)
),

own as (
    select a.*, p.price_date as own_date, p.close_usd as own_close, p.source as own_source
    from assets a
    asof left join near p on p.asset = a.asset and a.incident_date >= p.price_date
),

equivalent as (
    select o.*, e.priced_as, cast(e.ratio as double) as ratio
    from own o
    left join seed_asset_equivalence e on upper(e.asset) = o.asset
),

via as (
    select q.*, p.price_date as eq_date, p.close_usd as eq_close, p.source as eq_source
    from equivalent q
    -- Only the series something is equivalent to: an as-of join sorts its
    -- whole right side.
    asof left join (
        select * from int_prices__daily where asset in (select priced_as from seed_asset_equivalence)
    ) p on p.asset = q.priced_as and q.incident_date >= p.price_date
),

resolved as (
    select
        *,
        case
            when own_close is not null and incident_date - own_date <= getvariable('max_price_age_days') then 'own_series'
            when eq_close is not null and incident_date - eq_date <= getvariable('max_price_age_days') then 'equivalent'
            when priced_as = 'USD' then 'usd_peg'
        end as price_basis
    from via
)

select
    incident_id,
    asset_ordinal,
    asset,
    quantity,
    case price_basis when 'own_series' then asset else priced_as end as priced_as,
    price_basis,
    case price_basis
        when 'own_series' then own_close
        when 'equivalent' then eq_close * ratio
        when 'usd_peg' then ratio
    end as price_usd,
    case price_basis
        when 'own_series' then own_date
        when 'equivalent' then eq_date
        when 'usd_peg' then incident_date
    end as price_date,
    case price_basis
        when 'own_series' then own_source
        when 'equivalent' then eq_source
        when 'usd_peg' then 'peg'
    end as price_source
from resolved
