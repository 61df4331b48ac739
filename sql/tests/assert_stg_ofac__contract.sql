-- The stg_ofac__* contract: EVM addresses lower-cased, every accepted row
-- has an address and an asset.
select _source, address, asset from stg_ofac__sdn_csv
where reject_reason is null and (address is null or asset is null or (address like '0x%' and address <> lower(address)))
union all
select _source, address, asset from stg_ofac__addresses
where reject_reason is null and (address is null or asset is null or (address like '0x%' and address <> lower(address)))
union all
select _source, address, asset from stg_ofac__sdn_advanced
where reject_reason is null and (address is null or asset is null or (address like '0x%' and address <> lower(address)))
