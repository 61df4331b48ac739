-- The native stolen assets behind each natively valued figure, with the price
-- used, its date and its source. Unsorted: publishing orders every dataset
-- (output/datasets.go).
select
    incident_id,
    asset_ordinal,
    asset,
    quantity,
    priced_as,
    price_basis,
    price_usd,
    price_date,
    price_source,
    round(quantity * price_usd, 2)::decimal(18, 2) as value_usd
from int_incident_assets__priced
