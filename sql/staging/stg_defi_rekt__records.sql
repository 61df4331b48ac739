-- One row per De.Fi REKT record, typed. The database is mostly scams: only
-- scam_parent 'Exploit/...' rows are thefts (is_exploit); the rest are kept
-- and categorized as scams. funds_lost 0 means unknown here and becomes NULL.
-- The export (raw_defi_rekt) and the API pages (raw_defi_rekt_api) share
-- their columns; a source lands one or the other.
with src as (
    select * from raw_defi_rekt
    union all by name
    select * from raw_defi_rekt_api
),

typed as (
    select
        _source as source,
        to_json(struct_pack(id, date, name, category, chain, funds_lost, funds_recovered, funds_returned,
            scam_type, scam_parent, year))::varchar as record,
        nullif(trim(id), '') as rekt_id,
        try_cast(date as date) as incident_date,
        nullif(trim(regexp_replace(name, '\s+', ' ', 'g')), '') as victim,
        nullif(trim(category), '') as category,
        -- 'Binance' is De.Fi's name for BNB Smart Chain (BSC elsewhere).
        case trim(chain) when 'Binance' then 'BSC' else nullif(trim(chain), '') end as chain,
        funds_lost as amount_text,
        try_cast(nullif(trim(funds_lost), '') as decimal(18, 2)) as amount_usd,
        funds_returned as returned_text,
        try_cast(nullif(trim(funds_returned), '') as decimal(18, 2)) as funds_returned,
        try_cast(nullif(trim(funds_recovered), '') as decimal(18, 2)) as funds_recovered,
        nullif(trim(scam_type), '') as scam_type,
        nullif(trim(scam_parent), '') as scam_parent,
        _fetched_at::date as fetched_date
    from src
)

select
    source,
    coalesce(rekt_id, '') || '|' || row_number() over (partition by source, rekt_id order by record) as source_record_key,
    'defi_rekt' as feed,
    'defi_rekt' as format,
    record,
    rekt_id,
    'https://de.fi/rekt-database?id=' || rekt_id as url,
    incident_date,
    'day' as date_precision,
    victim,
    null::varchar as victim_type,
    null::varchar as country,
    category,
    case when chain is not null then [chain] else []::varchar[] end as chains,
    scam_parent as technique,
    null::varchar as classification,
    concat_ws(' | ', scam_parent, scam_type) as category_text,
    -- No attribution of its own: the curated list's fields.
    null::varchar as actor, null::varchar as actor_group, null::varchar as attribution_strength,
    null::varchar as attribution_source, null::varchar as citation_url,
    []::varchar[] as flags,
    nullif(amount_usd, 0) as reported_usd,
    nullif(coalesce(funds_returned, 0) + coalesce(funds_recovered, 0), 0)::decimal(18, 2) as returned_usd,
    []::varchar[] as attacker_addresses,
    null::varchar as description,
    scam_type,
    scam_parent,
    coalesce(scam_parent like 'Exploit/%', false) as is_exploit,
    case
        when rekt_id is null then 'missing id'
        when count(*) over (partition by source, rekt_id) > 1 then 'duplicate id'
        when incident_date is null then 'missing or unparseable date'
        when victim is null then 'missing name'
        else coalesce(
            reject_incident_date(incident_date, fetched_date),
            reject_amount(amount_text, amount_usd),
            case when nullif(trim(returned_text), '') is not null and funds_returned is null then 'unparseable funds_returned' end
        )
    end as reject_reason
from typed
