-- One row per BlockSec event, typed: loss from its decimal string, the date
-- from unix milliseconds (UTC day), chains named through seed_chain_ids, and
-- the attacker addresses and tx hashes of its transactions (EVM addresses
-- lower-cased so they join the OFAC lists).
with src as (
    select * from raw_blocksec_events
),

typed as (
    select
        _source as source,
        to_json(struct_pack(id, project, loss, date, rootCause, media, rescued, chainIds, transactions))::varchar as record,
        nullif(trim(id), '') as blocksec_id,
        try_cast(date as bigint) as date_ms,
        nullif(trim(regexp_replace(project, '\s+', ' ', 'g')), '') as victim,
        loss as amount_text,
        try_cast(nullif(trim(loss), '') as decimal(18, 2)) as amount_usd,
        try_cast(nullif(trim(rescued), '') as decimal(18, 2)) as rescued_usd,
        nullif(trim(rootCause), '') as root_cause,
        nullif(trim(media), '') as media,
        case when json_type(chainIds) = 'ARRAY' then from_json(chainIds, '["VARCHAR"]') else []::varchar[] end as chain_ids,
        case when json_type(transactions) = 'ARRAY'
            then from_json(transactions, '[{"txnHash": "VARCHAR", "attacker": "VARCHAR"}]') end as txs,
        _fetched_at::date as fetched_date,
        _file,
        _position
    from src
),

chain_names as (
    select map(list(chain_id), list(chain)) as by_id from seed_chain_ids
),

dated as (
    select t.*, make_timestamp(t.date_ms * 1000)::date as incident_date, n.by_id
    from typed t
    cross join chain_names n
)

select
    d.source,
    coalesce(d.blocksec_id, '') || '|' || row_number() over first_seen as source_record_key,
    'blocksec' as feed,
    'blocksec_events' as format,
    d.record,
    d.blocksec_id,
    d.media as url,
    d.incident_date,
    'day' as date_precision,
    d.victim,
    null::varchar as victim_type,
    null::varchar as country,
    -- Ids missing from the seed (BlockSec's negative ids for non-EVM chains)
    -- are left out rather than guessed.
    list_sort(list_distinct(list_filter(list_transform(d.chain_ids, c -> map_extract_value(d.by_id, c)), c -> c is not null))) as chains,
    nullif(d.amount_usd, 0) as reported_usd,
    nullif(d.rescued_usd, 0) as returned_usd,
    d.root_cause as technique,
    null::varchar as classification,
    d.root_cause as category_text,
    -- No attribution of its own: the curated list's fields.
    null::varchar as actor, null::varchar as actor_group, null::varchar as attribution_strength,
    null::varchar as attribution_source, null::varchar as citation_url,
    []::varchar[] as flags,
    null::varchar as description,
    coalesce(list_sort(list_distinct(list_filter(list_transform(d.txs,
        t -> case when lower(t.attacker) like '0x%' then lower(trim(t.attacker)) else nullif(trim(t.attacker), '') end),
        a -> a is not null))), []) as attacker_addresses,
    coalesce(list_sort(list_distinct(list_filter(list_transform(d.txs, t -> lower(nullif(trim(t.txnHash), ''))),
        h -> h is not null))), []) as tx_hashes,
    case
        when d.blocksec_id is null then 'missing id'
        -- The load's quarantine replaced invalid UTF-8 in the file with U+FFFD.
        when contains(d.record, chr(65533)) then 'invalid UTF-8 (replaced with U+FFFD at load)'
        -- The first record of an id in the feed is kept, whether the later
        -- ones are copies or differ.
        when row_number() over first_seen > 1 and first_value(d.record) over first_seen = d.record
            then 'duplicate of an identical record'
        when row_number() over first_seen > 1 then 'duplicate id: the first record is kept'
        when d.date_ms is null or d.date_ms <= 0 then 'missing or unparseable date'
        when d.victim is null then 'missing name'
        else coalesce(
            reject_incident_date(d.incident_date, d.fetched_date),
            reject_amount(d.amount_text, d.amount_usd),
            case when d.txs is null and d.record like '%"transactions":%' and json_type(json_extract(d.record, '$.transactions')) not in ('ARRAY', 'NULL')
                then 'transactions is not a list' end
        )
    end as reject_reason
from dated d
window first_seen as (partition by d.source, d.blocksec_id order by d._file, d._position)
