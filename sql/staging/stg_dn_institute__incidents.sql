-- One row per dn-institute wiki incident file, typed. The incident date is
-- the file name's, the page's own date for the theft; the front matter's is
-- used only when the name has none, as it can carry a later event (Silk
-- Road: file 2012-09-19, date 2022-11-04, the seizure) or a slip (Multichain:
-- 2023-06-06 for the July theft). loss "unknown" is NULL, not a zero loss.
-- description is the title and the Summary section, the page's own account
-- (the text rule reads it; the rest of the body also tells of other thefts).
with src as (
    select * from raw_dn_institute
),

typed as (
    select
        _source as source,
        to_json(struct_pack(file, file_date, date, title, target_entities, entity_types, attack_types, loss,
            tags, error))::varchar as record,
        file,
        coalesce(try_cast(file_date as date), try_cast(trim(date) as date)) as incident_date,
        nullif(trim(target_entities[1]), '') as victim,
        nullif(trim(title), '') as title,
        coalesce(entity_types, []) as entity_types,
        coalesce(attack_types, []) as attack_types,
        coalesce(tags, []) as tags,
        loss as amount_text,
        case when lower(trim(loss)) <> 'unknown' then try_cast(trim(loss) as decimal(18, 2)) end as amount_usd,
        body,
        nullif(trim(regexp_extract(body, '(?s)## Summary:?[ \t]*\n(.*?)(\n## |$)', 1)), '') as summary,
        error,
        _fetched_at::date as fetched_date
    from src
)

select
    source,
    file as source_record_key,
    'dn_institute' as feed,
    'dn_institute' as format,
    record,
    incident_date,
    'day' as date_precision,
    victim,
    null::varchar as victim_type,
    null::varchar as country,
    []::varchar[] as chains,
    array_to_string(attack_types, ' | ') as technique,
    null::varchar as classification,
    array_to_string(attack_types, ' | ') as category_text,
    -- No attribution of its own: the curated list's fields.
    null::varchar as actor, null::varchar as actor_group, null::varchar as attribution_strength,
    null::varchar as attribution_source, null::varchar as citation_url,
    []::varchar[] as flags,
    nullif(amount_usd, 0) as reported_usd,
    null::decimal(18, 2) as returned_usd,
    []::varchar[] as attacker_addresses,
    title,
    entity_types,
    attack_types,
    tags,
    'https://github.com/1712n/dn-institute/blob/main/content/research/cyberattacks/incidents/'
        || replace(file, ' ', '%20') as url,
    nullif(concat_ws(' ', title, summary), '') as description,
    body,
    case
        when error is not null then error
        when incident_date is null then 'missing or unparseable date'
        when victim is null then 'missing target-entities'
        when incident_date > fetched_date then 'date in the future'
        when lower(trim(coalesce(amount_text, ''))) not in ('', 'unknown') and amount_usd is null then 'unparseable loss'
        when amount_usd < 0 then 'negative loss'
    end as reject_reason
from typed
