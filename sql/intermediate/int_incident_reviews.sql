-- The reviewed large incidents (seed_incident_reviews), each matched to the
-- one incident any of whose records carries one of its match names
-- (normalized like the records' victim_norm, through the alias seed) within
-- 7 days of the reviewed theft date. A review that matches no incident, or
-- several, fails assert_int_incident_reviews__one_incident.
with reviews as (
    select
        trim(victim) || ' ' || trim(incident_date) as review_key,
        trim(victim) as victim,
        try_cast(trim(incident_date) as date) as incident_date,
        list_filter(list_transform(string_split(match_names, ';'), n -> trim(n)), n -> n <> '') as match_names,
        lower(trim(decision)) as decision,
        nullif(lower(trim(category)), '') as category,
        nullif(trim(stolen_assets), '') as stolen_assets,
        try_cast(nullif(trim(reviewed_usd), '') as decimal(18, 2)) as reviewed_usd,
        list_filter(list_transform(string_split(coalesce(flags, ''), ';'), f -> lower(trim(f))), f -> f <> '') as flags,
        nullif(trim(citation_url), '') as citation_url,
        nullif(trim(reason), '') as reason
    from seed_incident_reviews
),

aliases as (
    select
        regexp_replace(lower(alias), '[^a-z0-9]', '', 'g') as alias_norm,
        min(regexp_replace(lower(canonical), '[^a-z0-9]', '', 'g')) as canonical_norm
    from seed_victim_aliases
    group by all
),

names as (
    select
        r.review_key,
        regexp_replace(lower(replace(replace(n.name, '&amp;', '&'), '&#39;', '''')), '[^a-z0-9]', '', 'g') as raw_norm
    from reviews r, unnest(r.match_names) as n(name)
),

normed as (
    select distinct n.review_key, coalesce(a.canonical_norm, n.raw_norm) as victim_norm
    from names n
    left join aliases a on a.alias_norm = n.raw_norm
),

named as (
    select r.review_key, g.incident_id, max(g.reported_usd) as feed_usd, any_value(r.reviewed_usd) as reviewed_usd
    from reviews r
    join normed n using (review_key)
    join int_incidents__grouped g on g.victim_norm = n.victim_norm
        and abs(g.incident_date - r.incident_date) <= 7
    group by all
),

-- When the name and date fit several incidents (a feed's second, smaller
-- theft of the same victim that week), the reviewed figure picks the one
-- whose feeds report it within a factor of 3.
matches as (
    select review_key, incident_id
    from named
    qualify count(*) over (partition by review_key) = 1
        or (reviewed_usd is not null and feed_usd between reviewed_usd / 3 and reviewed_usd * 3)
)

select
    r.*,
    m.incident_id,
    count(m.incident_id) over (partition by r.review_key) as matched_incidents
from reviews r
left join matches m using (review_key)
