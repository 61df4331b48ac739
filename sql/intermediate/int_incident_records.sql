-- Every accepted incident record of every feed in one shape, with its
-- category and the keys used for matching:
--   victim_norm: lower case, HTML entities undone, a-z0-9 only, then the
--     alias table seed_victim_aliases;
--   name_key: victim_norm without generic words (protocol, finance, network,
--     bridge, exchange, dao, labs, v1-v4, ...) so "Euler V1" and "Euler
--     Finance" meet; a name made only of such words keeps them.
-- precedence orders the feeds for every field but the date, date_precedence
-- for the date (seed_feed_precedence says why); a feed the seed does not list
-- ranks after those it does, by name.
with feeds as (
    select distinct feed from int_incident_records__staged
),

listed as (
    select feed, precedence::integer as precedence, date_precedence::integer as date_precedence
    from seed_feed_precedence
),

ranks as (
    select
        f.feed,
        coalesce(p.precedence, (select coalesce(max(precedence), 0) from listed) + row_number() over unlisted)::integer as precedence,
        coalesce(p.date_precedence, (select coalesce(max(date_precedence), 0) from listed) + row_number() over unlisted)::integer
            as date_precedence
    from feeds f
    left join listed p using (feed)
    window unlisted as (partition by p.feed is null order by f.feed)
),

unioned as (
    select
        r.source, r.source_record_key, r.feed, k.precedence, k.date_precedence,
        r.* exclude (source, source_record_key, feed, format, record, reject_reason)
    from int_incident_records__staged r
    join ranks k using (feed)
    where r.reject_reason is null
),

-- Words split on anything but letters and digits, for name_key; joined
-- they are the name without anything but letters and digits, which saves a
-- second regex pass over every name.
worded as (
    select
        *,
        list_filter(string_split_regex(lower(replace(replace(victim, '&amp;', '&'), '&#39;', '''')), '[^a-z0-9]+'), w -> w <> '') as words
    from unioned
),

normed as (
    select *, array_to_string(words, '') as raw_norm
    from worded
),

aliases as (
    select
        regexp_replace(lower(alias), '[^a-z0-9]', '', 'g') as alias_norm,
        min(canonical) as canonical
    from seed_victim_aliases
    group by all
),

aliased as (
    select
        n.* exclude (words),
        coalesce(regexp_replace(lower(a.canonical), '[^a-z0-9]', '', 'g'), n.raw_norm) as victim_norm,
        coalesce(list_filter(string_split_regex(lower(a.canonical), '[^a-z0-9]+'), w -> w <> ''), n.words) as words
    from normed n
    left join aliases a on a.alias_norm = n.raw_norm
),

overridden as (
    -- seed_record_overrides corrects single records, each with its reason.
    select
        a.* exclude (reported_usd, returned_usd),
        case when o.drop_amount = 'true' then null else a.reported_usd end as reported_usd,
        case when o.drop_amount = 'true' then null else a.returned_usd end as returned_usd,
        nullif(o.category, '') as override_category
    from aliased a
    left join seed_record_overrides o on o.feed = a.feed and o.source_record_key = a.source_record_key
),

categories as (
    select cast(priority as integer) as priority, pattern, category from seed_incident_categories
),

-- Each distinct text is matched once: a pattern that is not a constant is
-- compiled per row, so matching every record would be slow at scale.
texts as (
    select distinct lower(coalesce(category_text, '')) as text from overridden
),

categorized as (
    select t.text, first(c.category order by c.priority) as category
    from texts t
    join categories c on regexp_matches(t.text, c.pattern)
    group by all
),

generic as (
    select ['protocol', 'finance', 'network', 'bridge', 'exchange', 'dao', 'labs', 'the',
        'v1', 'v2', 'v3', 'v4', 'official', 'io', 'app'] as words
)

select
    a.* exclude (words, raw_norm, override_category),
    coalesce(nullif(array_to_string(list_filter(a.words, w -> not list_contains(g.words, w)), ''), ''),
        a.victim_norm) as name_key,
    coalesce(a.override_category, c.category, 'other') as category
from overridden a
cross join generic g
left join categorized c on c.text = lower(coalesce(a.category_text, ''))
