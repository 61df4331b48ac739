-- The 0xB10C per-asset lists of OFAC-sanctioned addresses (from
-- sdn_advanced.xml), in the stg_ofac__* contract columns. They carry no
-- entity or program: those come from the other OFAC models by address.
with src as (
    select
        *,
        row_number() over (partition by _source, asset order by address) as ordinal
    from raw_ofac_addresses
)

select
    case when trim(address) like '0x%' then lower(trim(address)) else nullif(trim(address), '') end as address,
    upper(asset) as asset,
    null::varchar as entity,
    null::varchar as program,
    _source,
    upper(asset) || '|' || ordinal as source_record_key,
    to_json(struct_pack(asset, address))::varchar as record,
    case
        when nullif(trim(address), '') is null then 'empty address'
        when trim(address) like '0x%' and not regexp_full_match(trim(address), '0x[0-9a-fA-F]{40}') then 'EVM address is not 40 hex digits'
    end as reject_reason
from src
