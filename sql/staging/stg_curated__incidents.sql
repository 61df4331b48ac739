-- One row per curated incident, typed; lists are split, and a row that breaks
-- the documented format gets a reject_reason. Emits the incident contract
-- (see int_incident_records__staged) and the asset columns.
with src as (
    select * from raw_curated_incidents
),

typed as (
    select
        _source as source,
        to_json(struct_pack(incident_key, incident_date, date_precision, victim, victim_type, country,
            actor, actor_group, attribution_strength, attribution_source, citation_url, stolen_assets,
            assets_complete, reported_usd, reported_usd_low, reported_usd_high, returned_usd, chains,
            technique, flags, notes))::varchar as record,
        trim(incident_key) as incident_key,
        try_cast(incident_date as date) as incident_date,
        coalesce(nullif(trim(date_precision), ''), 'day') as date_precision,
        nullif(trim(victim), '') as victim,
        nullif(trim(victim_type), '') as victim_type,
        nullif(trim(country), '') as country,
        nullif(trim(actor), '') as actor,
        nullif(trim(actor_group), '') as actor_group,
        nullif(trim(attribution_strength), '') as attribution_strength,
        nullif(trim(attribution_source), '') as attribution_source,
        nullif(trim(citation_url), '') as citation_url,
        nullif(trim(stolen_assets), '') as stolen_assets,
        lower(nullif(trim(assets_complete), '')) as assets_complete_text,
        reported_usd as reported_text,
        try_cast(nullif(trim(reported_usd), '') as decimal(18, 2)) as reported_usd,
        try_cast(nullif(trim(reported_usd_low), '') as decimal(18, 2)) as reported_usd_low,
        try_cast(nullif(trim(reported_usd_high), '') as decimal(18, 2)) as reported_usd_high,
        try_cast(nullif(trim(returned_usd), '') as decimal(18, 2)) as returned_usd,
        nullif(trim(returned_usd), '') as returned_text,
        coalesce(list_filter(list_transform(string_split(chains, ';'), c -> trim(c)), c -> c <> ''), []) as chains,
        nullif(trim(technique), '') as technique,
        coalesce(list_filter(list_transform(string_split(flags, ';'), f -> trim(f)), f -> f <> ''), []) as flags,
        nullif(trim(notes), '') as notes,
        _fetched_at::date as fetched_date
    from src
)

select
    source,
    incident_key as source_record_key,
    'curated' as feed,
    'curated_incidents' as format,
    record,
    incident_key,
    incident_date,
    date_precision,
    victim,
    victim_type,
    country,
    actor,
    actor_group,
    attribution_strength,
    attribution_source,
    citation_url,
    stolen_assets,
    assets_complete_text = 'true' as assets_complete,
    reported_usd,
    reported_usd_low,
    reported_usd_high,
    returned_usd,
    chains,
    technique,
    null::varchar as classification,
    technique as category_text,
    flags,
    citation_url as url,
    []::varchar[] as attacker_addresses,
    notes as description,
    case
        when incident_key is null or not regexp_full_match(incident_key, '[a-z0-9][a-z0-9-]*') then 'missing or malformed incident_key'
        when incident_date is null then 'missing or unparseable incident_date'
        when incident_date < date '2009-01-03' then 'incident_date before 2009-01-03 (the first Bitcoin block)'
        when incident_date > fetched_date then 'incident_date in the future'
        when date_precision not in ('day', 'month', 'year') then 'date_precision must be day, month or year'
        when victim is null then 'missing victim'
        when victim_type is null or victim_type not in ('cex', 'bridge', 'defi', 'wallet', 'payments', 'gaming', 'other')
            then 'victim_type must be one of cex, bridge, defi, wallet, payments, gaming, other'
        when actor is not null and (attribution_strength is null or attribution_strength not in ('G', 'F', 'C'))
            then 'attribution_strength must be G, F or C'
        when stolen_assets is not null and not list_bool_and(list_transform(string_split(stolen_assets, ';'),
            a -> regexp_full_match(trim(a), '[0-9]+(\.[0-9]+)? [A-Za-z0-9.]+'))) then 'stolen_assets must be "QUANTITY SYMBOL; ..."'
        when assets_complete_text is not null and assets_complete_text not in ('true', 'false') then 'assets_complete must be true or false'
        when reported_text is not null and trim(reported_text) <> '' and reported_usd is null then 'unparseable reported_usd'
        when reported_usd < 0 or returned_usd < 0 then 'negative amount'
        when returned_text is not null and returned_usd is null then 'unparseable returned_usd'
        when not list_bool_and(list_transform(flags, f -> f in ('date_approximate', 'amount_uncertain', 'assets_uncertain',
            'victim_uncertain', 'country_uncertain', 'attribution_disputed', 'attribution_unconfirmed')))
            then 'unknown flag in flags'
    end as reject_reason
from typed
