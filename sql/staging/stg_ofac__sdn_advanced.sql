-- OFAC sdn_advanced.xml digital currency addresses, one row per (address,
-- program), in the shared stg_ofac__* layout: address (EVM addresses lower
-- case), asset, entity, program, _source; then the record key, the record and
-- reject_reason (consumers keep rows where it is NULL).
with src as (
    select
        *,
        nullif(trim(address), '') as addr,
        regexp_full_match(trim(address), '0x[0-9a-fA-F]{40}') as is_evm
    from raw_ofac_sdn_advanced
)

select
    case when is_evm then lower(addr) else addr end as address,
    nullif(upper(trim(asset)), '') as asset,
    nullif(trim(entity), '') as entity,
    nullif(trim(program), '') as program,
    _source,
    profile_id || '|' || coalesce(addr, '') || '|' || coalesce(program, '') as source_record_key,
    to_json(struct_pack(profile_id, address, asset, entity, program))::varchar as record,
    case
        when addr is null then 'missing address'
        when addr like '0x%' and not is_evm then 'malformed EVM address (want 0x and 40 hex digits)'
        when nullif(trim(asset), '') is null then 'missing asset'
        when nullif(trim(entity), '') is null then 'party has no primary name'
        when nullif(trim(program), '') is null then 'party has no sanctions program'
    end as reject_reason
from src
