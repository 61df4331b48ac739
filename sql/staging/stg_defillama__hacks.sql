-- One row per DeFiLlama record, typed. reject_reason is set (and the row kept,
-- for the rejects output) when the record cannot be used.
-- A view like the other staging models: as a table it also held the
-- incident contract's columns, for more memory and no time saved
-- (docs/benchmarks.md).
with src as (
    select * from raw_defillama_hacks
),

typed as (
    select
        _source as source,
        to_json(struct_pack(date, name, classification, technique, amount, chain, bridgeHack,
            targetType, source, returnedFunds, defillamaId, parentProtocolId, language))::varchar as record,
        try_cast(date as bigint) as date_unix,
        nullif(trim(regexp_replace(name, '\s+', ' ', 'g')), '') as victim,
        nullif(trim(classification), '') as classification,
        nullif(trim(technique), '') as technique,
        amount as amount_text,
        try_cast(amount as decimal(18, 2)) as amount_usd,
        returnedFunds as returned_text,
        try_cast(returnedFunds as decimal(18, 2)) as returned_usd,
        case when json_type(chain) = 'ARRAY' then list_sort(from_json(chain, '["VARCHAR"]')) end as chains,
        chain is not null and json_type(chain) not in ('ARRAY', 'NULL') as chain_malformed,
        lower(bridgeHack) = 'true' as bridge_hack,
        nullif(trim(targetType), '') as target_type,
        nullif(defillamaId, '') as defillama_id,
        _fetched_at::date as fetched_date
    from src
),

dated as (
    select
        *,
        date '1970-01-01' + cast(floor(date_unix / 86400) as integer) as incident_date
    from typed
),

keyed as materialized (
    select *, hash(source, incident_date, victim) as partition_hash from dated
),

-- The ordinal's window runs only over the rows whose (source, date, name)
-- shares its hash with another row's; every other row is alone in its
-- partition, ordinal 1. Over all rows it sorted them by the record text,
-- mostly on one thread. A hash, not the columns: NULL dates and names form
-- partitions but never join.
shared as (
    select partition_hash from keyed group by all having count(*) > 1
),

-- An exact copy of a record (same text) is one record and one reject:
-- copies share the (date, name) partition and sort next to each other.
numbered as (
    select *, 1::bigint as ordinal, false as is_copy
    from keyed
    anti join shared using (partition_hash)
    union all
    select
        *,
        row_number() over w as ordinal,
        coalesce(lag(record) over w = record, false) as is_copy
    from keyed
    semi join shared using (partition_hash)
    window w as (partition by source, incident_date, victim order by record)
)

select
    source,
    -- No stable id upstream: date, name and an ordinal among identical
    -- (date, name) pairs, ordered by the full record so it is deterministic.
    strftime(incident_date, '%Y-%m-%d') || '|' || coalesce(victim, '') || '|'
        || ordinal as source_record_key,
    'defillama' as feed,
    'defillama_hacks' as format,
    record,
    incident_date,
    'day' as date_precision,
    victim,
    case
        when bridge_hack then 'bridge'
        when target_type = 'CEX' then 'cex'
        when target_type = 'DeFi Protocol' then 'defi'
        when target_type = 'Wallet' then 'wallet'
        else 'other'
    end as victim_type,
    target_type,
    null::varchar as country,
    coalesce(chains, []) as chains,
    technique,
    classification,
    concat_ws(' | ', technique, classification) as category_text,
    -- No attribution of its own: the curated list's fields.
    null::varchar as actor, null::varchar as actor_group, null::varchar as attribution_strength,
    null::varchar as attribution_source, null::varchar as citation_url,
    []::varchar[] as flags,
    amount_usd as reported_usd,
    returned_usd,
    null::varchar as url,
    []::varchar[] as attacker_addresses,
    null::varchar as description,
    defillama_id,
    case
        when is_copy then 'duplicate of an identical record'
        -- The load's quarantine replaced invalid UTF-8 in the file with U+FFFD.
        when contains(record, chr(65533)) then 'invalid UTF-8 (replaced with U+FFFD at load)'
        when date_unix is null then 'missing or unparseable date'
        when victim is null then 'missing name'
        else coalesce(
            reject_incident_date(incident_date, fetched_date),
            reject_amount(amount_text, amount_usd),
            case
                -- Unlike reject_amount's other feeds, a blank amount is unparseable here.
                when amount_text is not null and amount_usd is null then 'unparseable amount'
                when returned_text is not null and returned_usd is null then 'unparseable returnedFunds'
                when returned_usd < 0 then 'negative returnedFunds'
                when chain_malformed then 'chain is not a list'
            end
        )
    end as reject_reason
from numbered
