-- One row per SlowMist Hacked record, typed. loss_usd 0 means "unknown" in
-- this feed (Mt. Gox 2014 is 0), so it becomes NULL, not a zero loss. Names
-- are stored HTML-escaped in the export and are unescaped here. The export
-- (raw_slowmist_hacked) and the parsed pages (raw_slowmist_html) share their
-- columns; a source lands one or the other.
with src as (
    select * from raw_slowmist_hacked
    union all by name
    select * from raw_slowmist_html
),

typed as (
    select
        _source as source,
        to_json(struct_pack(date, name, description, loss_usd, attack_method, reference, year))::varchar as record,
        try_cast(date as date) as incident_date,
        nullif(trim(regexp_replace(replace(replace(replace(replace(replace(name, '&amp;', '&'), '&#39;', ''''),
            '&quot;', '"'), '&lt;', '<'), '&gt;', '>'), '\s+', ' ', 'g')), '') as victim,
        nullif(trim(description), '') as description,
        loss_usd as amount_text,
        try_cast(nullif(trim(loss_usd), '') as decimal(18, 2)) as amount_usd,
        nullif(trim(attack_method), '') as attack_method,
        nullif(trim(reference), '') as reference,
        _fetched_at::date as fetched_date
    from src
)

select
    source,
    date_victim_key(source, incident_date, victim, record) as source_record_key,
    'slowmist' as feed,
    'slowmist_hacked' as format,
    record,
    incident_date,
    'day' as date_precision,
    victim,
    null::varchar as victim_type,
    null::varchar as country,
    []::varchar[] as chains,
    attack_method as technique,
    null::varchar as classification,
    attack_method as category_text,
    -- No attribution of its own: the curated list's fields.
    null::varchar as actor, null::varchar as actor_group, null::varchar as attribution_strength,
    null::varchar as attribution_source, null::varchar as citation_url,
    []::varchar[] as flags,
    nullif(amount_usd, 0) as reported_usd,
    null::decimal(18, 2) as returned_usd,
    reference as url,
    []::varchar[] as attacker_addresses,
    description,
    case
        when incident_date is null then 'missing or unparseable date'
        when victim is null then 'missing name'
        else coalesce(reject_incident_date(incident_date, fetched_date), reject_amount(amount_text, amount_usd))
    end as reject_reason
from typed
