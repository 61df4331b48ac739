-- OFAC sdn.csv digital currency addresses, one row per "Digital Currency
-- Address - <ASSET> <address>" mention in Remarks. Columns follow the
-- stg_ofac__* contract (address, asset, entity, program, _source; EVM
-- addresses lower-cased). OFAC truncates Remarks, so the last mention of a
-- long entry can be cut mid-address: it is rejected, not used.
with src as (
    select
        *,
        unnest(string_split(remarks, 'Digital Currency Address - ')[2:]) as mention,
        generate_subscripts(string_split(remarks, 'Digital Currency Address - ')[2:], 1) as mention_ordinal
    from raw_ofac_sdn_csv
),

parsed as (
    select
        _source,
        trim(ent_num) as ent_num,
        mention_ordinal,
        to_json(struct_pack(ent_num, sdn_name, program, mention))::varchar as record,
        nullif(trim(sdn_name), '-0-') as entity,
        nullif(trim(program), '-0-') as program,
        upper(regexp_extract(mention, '^([A-Za-z0-9]+) ', 1)) as asset,
        regexp_extract(mention, '^[A-Za-z0-9]+ ([A-Za-z0-9]+)', 1) as raw_address,
        -- A complete mention ends with ';' (more follows) or '.' (end of the
        -- Remarks); one with neither was cut by OFAC's truncation.
        not regexp_matches(mention, '[;.]') as cut
    from src
)

select
    case when raw_address like '0x%' then lower(raw_address) else nullif(raw_address, '') end as address,
    nullif(asset, '') as asset,
    entity,
    -- OFAC joins several programs as 'DPRK3] [CYBER2'.
    replace(program, '] [', ';') as program,
    _source,
    ent_num || '|' || mention_ordinal as source_record_key,
    record,
    case
        when cut and not coalesce(regexp_full_match(raw_address, '0x[0-9a-fA-F]{40}'), false) then 'address cut by the truncated Remarks'
        when nullif(asset, '') is null or nullif(raw_address, '') is null then 'unparseable digital currency address'
        when raw_address like '0x%' and not regexp_full_match(raw_address, '0x[0-9a-fA-F]{40}')
            then 'EVM address is not 40 hex digits (truncated Remarks?)'
    end as reject_reason
from parsed
