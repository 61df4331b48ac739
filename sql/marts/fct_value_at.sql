-- Incidents valued from native amounts re-valued at the configured value_at
-- date (empty when none is set): each asset at that day's USD close (or the
-- latest earlier one within max_price_age_days) of its own series, else of
-- its equivalent, else its USD peg; then every published currency at that
-- day's ECB cross rate. Long form: one row per incident and currency, USD
-- included. The theft-date valuation in fct_incidents is unchanged.
with value_date as (
    select try_cast(nullif(getvariable('value_at'), '') as date) as value_date
),

assets as (
    select a.incident_id, a.asset_ordinal, a.asset, a.quantity, v.value_date
    from fct_incident_assets a
    join fct_incidents i using (incident_id)
    cross join value_date v
    -- A theft after value_at has no value then: its columns stay empty.
    where i.valuation_method = 'native_at_theft_date' and v.value_date is not null and i.incident_date <= v.value_date
),

-- Price candidates in order of preference: own series, equivalent, peg.
candidates as (
    select *, asset as priced_as, 1.0 as ratio, 1 as preference from assets
    union all
    select a.*, e.priced_as, cast(e.ratio as double), 2
    from assets a
    join seed_asset_equivalence e on upper(e.asset) = a.asset
),

series as (
    select c.*, p.price_date, p.close_usd * c.ratio as price_usd
    from candidates c
    -- Only the days within max_price_age_days of value_at can price an
    -- asset: the as-of join sorts just those, not every price (even when no
    -- value_at is set).
    asof join (
        select p.*
        from fct_prices_daily p, value_date v
        where p.price_date between v.value_date - getvariable('max_price_age_days') and v.value_date
    ) p on p.asset = c.priced_as and c.value_date >= p.price_date
    union all
    select *, value_date, ratio from candidates where priced_as = 'USD'
),

priced as (
    select *
    from series
    qualify row_number() over (partition by incident_id, asset_ordinal order by preference, priced_as = 'USD') = 1
),

valued as (
    select
        a.incident_id,
        any_value(a.value_date) as value_date,
        min(p.price_date) as price_date,
        count(*) = count(p.price_usd) as all_priced,
        sum(cast(a.quantity * p.price_usd as decimal(38, 6))) as value_usd
    from assets a
    left join priced p using (incident_id, asset_ordinal)
    group by a.incident_id
),

currencies as (
    select 'USD' as currency
    union all
    select unnest(getvariable('currencies'))
)

select
    v.incident_id,
    c.currency,
    v.value_date,
    v.price_date,
    fx.rate_date as fx_rate_date,
    coalesce(fx.per_usd, 1.0) as per_usd,
    round(v.value_usd * coalesce(fx.per_usd, 1.0), 2)::decimal(18, 2) as amount
from valued v
cross join currencies c
asof left join fct_fx_daily fx on fx.currency = c.currency and v.value_date >= fx.rate_date
where v.all_priced and (c.currency = 'USD' or fx.per_usd is not null)
order by v.incident_id, c.currency
