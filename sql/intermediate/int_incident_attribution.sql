-- Attribution of each incident from its evidence, strongest first:
--   curated list: the actor and strength (G/F/C) its authors assessed;
--   OFAC: an attacker address of the incident (BlockSec transactions, or
--     seed_curated_addresses with a citation) listed under a DPRK program or
--     the Lazarus Group entity: DPRK, strength G (a US government designation);
--   feed tags: a dn-institute wiki page tagged North Korea or Lazarus Group:
--     DPRK, strength F when a line of the page names the actor beside a
--     named firm, investigator or government body that attributed it
--     (Elliptic, ZachXBT, the FBI, ...), else C; a rekt.news entry tagged
--     DPRK or Lazarus: DPRK, strength C;
--   feed text: the description, name or reference URL of any feed's record
--     naming Lazarus, TraderTraitor, APT38, DPRK or North Korea (in a URL
--     also north-korea), or a reference URL that is an investigator's
--     attribution thread listed in seed_attribution_threads: DPRK, strength
--     C (weak).
-- The actor is the curated one when there is one, else the best-evidenced;
-- its strength is the strongest evidence for that actor, so no feed raises an
-- attribution above what its own evidence supports. A curated row flagged
-- attribution_disputed still gives its actor at its grade: the dissent is in
-- its flags and its evidence, so a reader can leave such incidents out.
with recs as (
    select * from int_incidents__grouped
),

curated as (
    select
        incident_id,
        actor,
        attribution_strength as strength,
        source || ': ' || attribution_strength || ', ' || coalesce(attribution_source, 'curated list')
            || case when list_contains(flags, 'attribution_disputed') then ' (disputed)' else '' end as evidence
    from recs
    where feed = 'curated' and actor is not null
),

addresses as (
    select incident_id, source, unnest(attacker_addresses) as address, 'attacker address in ' || source as found_in
    from recs
    where len(attacker_addresses) > 0
    union all
    select r.incident_id, r.source, lower(a.address), 'seed_curated_addresses (' || a.citation || ')'
    from recs r
    join seed_curated_addresses a on a.incident_key = r.source_record_key
    where r.feed = 'curated'
),

ofac as (
    select distinct
        a.incident_id,
        'DPRK' as actor,
        'G' as strength,
        s._source || ': ' || a.address || ' listed for ' || coalesce(s.entity, '?') || ' (' || coalesce(s.program, '?')
            || '); ' || a.found_in as evidence
    from addresses a
    join int_sanctioned_addresses s on s.address = a.address
    where s.program like '%DPRK%' or s.entity ilike '%lazarus%'
),

-- Every text a feed's record has; the curated list's own text is its
-- assessment, already evidence above.
texts as (
    select incident_id, source, 'description' as field, description as text from recs
    where feed <> 'curated' and description is not null
    union all
    select incident_id, source, 'name', victim from recs
    where feed <> 'curated' and victim is not null
    union all
    select incident_id, source, 'reference URL', url from recs
    where feed <> 'curated' and url is not null
),

text as (
    select distinct
        incident_id,
        'DPRK' as actor,
        'C' as strength,
        source || ': ' || field || ' names "' || regexp_extract(text,
            '(?i)(lazarus|tradertraitor|apt38|\bdprk\b|north[ _-]?korea)', 1) || '"' as evidence
    from texts
    where regexp_matches(text, '(?i)lazarus|tradertraitor|apt38|\bdprk\b|north[ _-]?korea')
),

-- URLs compared without scheme, www., query or trailing slash, twitter.com
-- as x.com; only URLs holding a thread's last path segment are normalized.
thread_urls as (
    select
        url_key,
        regexp_extract(url_key, '[^/]+$') as tail,
        actor, investigator, citation
    from (
        select
            rtrim(regexp_replace(regexp_replace(regexp_replace(lower(url), '[?#].*$', ''),
                '^https?://(www\.|mobile\.)?', ''), '^twitter\.com/', 'x.com/'), '/') as url_key,
            actor, investigator, citation
        from seed_attribution_threads
    )
),

thread_candidates as (
    select r.incident_id, r.source, r.url, t.*
    from recs r
    join thread_urls t on contains(lower(r.url), t.tail)
    where r.feed <> 'curated'
),

threads as (
    select distinct
        incident_id,
        actor,
        'C' as strength,
        source || ': reference URL is ' || investigator || '''s attribution thread (' || citation || ')' as evidence
    from thread_candidates
    where url_key = rtrim(regexp_replace(regexp_replace(regexp_replace(lower(url), '[?#].*$', ''),
        '^https?://(www\.|mobile\.)?', ''), '^twitter\.com/', 'x.com/'), '/')
),

-- The wiki's tags, graded by the first line of its page that names the
-- actor and who attributed it.
dn_pages as (
    select
        r.incident_id,
        r.source,
        d.tags,
        list_filter(string_split(d.body, chr(10)), l ->
            regexp_matches(l, '(?i)lazarus|\bdprk\b|north korea')
            and regexp_matches(l, '(?i)\b(chainalysis|elliptic|trm|mandiant|fireeye|zachxbt|fbi|ofac|treasury|department of justice)\b'))[1]
            as cited_line
    from recs r
    join stg_dn_institute__incidents d on d.source = r.source and d.source_record_key = r.source_record_key
    where r.feed = 'dn_institute'
        and list_has_any(list_transform(d.tags, t -> lower(trim(t))), ['north korea', 'lazarus group', 'lazarus', 'dprk'])
),

feed_tags as (
    select
        incident_id,
        'DPRK' as actor,
        case when cited_line is null then 'C' else 'F' end as strength,
        source || ': tags ' || array_to_string(tags, ', ') || coalesce('; cites ' || regexp_extract(cited_line,
            '(?i)\b(chainalysis|elliptic|trm|mandiant|fireeye|zachxbt|fbi|ofac|treasury|department of justice)\b', 1), '')
            as evidence
    from dn_pages
    union all
    select r.incident_id, 'DPRK', 'C', r.source || ': tags ' || array_to_string(k.tags, ', ')
    from recs r
    join stg_rekt_news__leaderboard k on k.source = r.source and k.source_record_key = r.source_record_key
    where r.feed = 'rekt_news'
        and list_has_any(list_transform(k.tags, t -> lower(trim(t))), ['dprk', 'lazarus', 'lazarus group', 'north korea'])
),

evidence as (
    select incident_id, actor, strength, evidence, true as is_curated from curated
    union all
    select incident_id, actor, strength, evidence, false from ofac
    union all
    select incident_id, actor, strength, evidence, false from text
    union all
    select incident_id, actor, strength, evidence, false from feed_tags
    union all
    select incident_id, actor, strength, evidence, false from threads
),

ranked as (
    select *, case strength when 'G' then 1 when 'F' then 2 else 3 end as strength_rank
    from evidence
),

chosen as (
    select incident_id, first(actor order by is_curated desc, strength_rank, actor) as actor
    from ranked
    group by incident_id
)

select
    r.incident_id,
    c.actor,
    case min(r.strength_rank) filter (where r.actor = c.actor)
        when 1 then 'G' when 2 then 'F' when 3 then 'C'
    end as attribution_strength,
    list_sort(list_distinct(list(r.evidence))) as attribution_evidence
from ranked r
left join chosen c using (incident_id)
group by r.incident_id, c.actor
