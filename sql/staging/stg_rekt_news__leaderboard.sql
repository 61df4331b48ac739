-- One row per rekt.news leaderboard entry, typed. Dates are M/D/YYYY (once
-- M/D/YY). rekt.date is the theft's, date the article's; a rekt.date in an
-- earlier year whose month and day fall 0-45 days before the article in the
-- article's year is a slip of the year (Drift Protocol 4/1/2025 in an article
-- of 4/9/2026, LNDFi 5/9/2021 of 5/16/2025) and takes the article's year; an
-- old theft written up later (LuBian 2020 in 2025) is not near it, and stays.
-- The victim is the title without its " - REKT" suffix; a title naming
-- several victims ("Agave DAO, Hundred Finance") is one article on thefts the
-- other feeds list one by one, so it cannot be matched as one and is rejected.
with src as (
    select * from raw_rekt_news
),

parsed as (
    select
        _source as source,
        to_json(struct_pack(date, title, rekt, tags, excerpt, slug))::varchar as record,
        nullif(trim(slug), '') as slug,
        try_strptime(regexp_replace(trim(date), '^([0-9]{1,2}/[0-9]{1,2}/)([0-9]{2})$', '\120\2'), '%m/%d/%Y')::date
            as published_date,
        try_strptime(regexp_replace(trim(rekt->>'date'), '^([0-9]{1,2}/[0-9]{1,2}/)([0-9]{2})$', '\120\2'), '%m/%d/%Y')::date
            as rekt_date,
        nullif(trim(regexp_replace(title, '(?i)\s+-\s+(bsc\s+-\s+)?(rekt|r3kt)\b.*$', '')), '') as victim,
        rekt->>'amount' as amount_text,
        try_cast(rekt->>'amount' as decimal(18, 2)) as amount_usd,
        nullif(trim(rekt->>'audit'), '') as audit,
        coalesce(try_cast(tags as varchar[]), []) as tags,
        nullif(trim(excerpt), '') as excerpt,
        _fetched_at::date as fetched_date
    from src
),

dated as (
    select
        *,
        try_strptime(year(published_date) || '-' || month(rekt_date) || '-' || day(rekt_date), '%Y-%m-%d')::date
            as rekt_date_in_article_year
    from parsed
)

select
    source,
    coalesce(slug, '') || '|' || row_number() over (partition by source, slug order by record) as source_record_key,
    'rekt_news' as feed,
    'rekt_news' as format,
    record,
    case
        when year(rekt_date) < year(published_date)
            and published_date - rekt_date_in_article_year between 0 and 45 then rekt_date_in_article_year
        else rekt_date
    end as incident_date,
    'day' as date_precision,
    published_date,
    victim,
    null::varchar as victim_type,
    null::varchar as country,
    []::varchar[] as chains,
    null::varchar as technique,
    null::varchar as classification,
    array_to_string(tags, ' | ') as category_text,
    -- No attribution of its own: the curated list's fields.
    null::varchar as actor, null::varchar as actor_group, null::varchar as attribution_strength,
    null::varchar as attribution_source, null::varchar as citation_url,
    []::varchar[] as flags,
    -- Its amounts are headlines, not theft values (Gala 2024: $216M minted,
    -- $21M taken; WOOFi: $85M for $8.5M): amount_usd only, never reported_usd.
    null::decimal(18, 2) as reported_usd,
    null::decimal(18, 2) as returned_usd,
    []::varchar[] as attacker_addresses,
    tags,
    nullif(amount_usd, 0) as amount_usd,
    audit,
    excerpt as description,
    'https://rekt.news/' || slug as url,
    case
        when slug is null then 'missing slug'
        when count(*) over (partition by source, slug) > 1 then 'duplicate slug'
        when rekt_date is null then 'missing or unparseable rekt.date'
        when victim is null then 'missing title'
        when regexp_matches(victim, ', | & ') then 'several victims in one entry'
        when rekt_date > fetched_date then 'date in the future'
        when nullif(trim(amount_text), '') is not null and amount_usd is null then 'unparseable amount'
        when amount_usd < 0 then 'negative amount'
    end as reject_reason
from dated
