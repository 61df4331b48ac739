-- Every accepted incident record of every feed in one shape, with its
-- category and the keys used for matching:
--   victim_norm: lower case, HTML entities undone, a-z0-9 only, then the
--     alias table seed_victim_aliases;
--   name_key: victim_norm without generic words (protocol, finance, network,
--     bridge, exchange, dao, labs, v1-v4, ...) so "Euler V1" and "Euler
--     Finance" meet; a name made only of such words keeps them.
-- precedence orders the feeds for every field but the date (curated, then
-- DeFiLlama, BlockSec, SlowMist, De.Fi, DeFiHackLabs, the dn-institute wiki,
-- rekt.news); date_precedence puts BlockSec's
-- on-chain transaction time right after the curated list, because SlowMist
-- and De.Fi often carry the disclosure date (Ronin: 29 March, theft 23 March).
with curated as (
    select
        source, source_record_key, 'curated' as feed, 1 as precedence, 1 as date_precedence,
        incident_date, date_precision, victim, victim_type, country, chains, technique,
        null::varchar as classification, technique as category_text, actor, actor_group,
        attribution_strength, attribution_source, citation_url, flags, reported_usd, returned_usd,
        citation_url as url, []::varchar[] as attacker_addresses, notes as description
    from stg_curated__incidents
    where reject_reason is null
),

defillama as (
    select
        source, source_record_key, 'defillama', 2, 3,
        incident_date, 'day', victim, victim_type, null, coalesce(chains, []), technique,
        classification, concat_ws(' | ', technique, classification), null, null,
        null, null, null, []::varchar[], amount_usd, returned_usd,
        null, []::varchar[], null
    from stg_defillama__hacks
    where reject_reason is null
),

blocksec as (
    select
        source, source_record_key, 'blocksec', 3, 2,
        incident_date, 'day', victim, null, null, chains, root_cause,
        null, root_cause, null, null,
        null, null, null, []::varchar[], amount_usd, returned_usd,
        url, attacker_addresses, null
    from stg_blocksec__events
    where reject_reason is null
),

slowmist as (
    select
        source, source_record_key, 'slowmist', 4, 4,
        incident_date, 'day', victim, null, null, []::varchar[], attack_method,
        null, attack_method, null, null,
        null, null, null, []::varchar[], amount_usd, null,
        reference, []::varchar[], description
    from stg_slowmist__hacked
    where reject_reason is null
),

defi_rekt as (
    select
        source, source_record_key, 'defi_rekt', 5, 5,
        incident_date, 'day', victim, null, null, chains, scam_parent,
        null, concat_ws(' | ', scam_parent, scam_type), null, null,
        null, null, null, []::varchar[], amount_usd, returned_usd,
        url, []::varchar[], null
    from stg_defi_rekt__records
    where reject_reason is null
),

-- DeFiHackLabs: the root cause, and a USD loss only where the text gives
-- one (its token amounts stay in stg_defihacklabs__exploits); the loss text
-- is kept as the description.
defihacklabs as (
    select
        source, source_record_key, 'defihacklabs', 6, 6,
        incident_date, 'day', victim, null, null, []::varchar[], cause,
        null, cause, null, null,
        null, null, null, []::varchar[], amount_usd, null,
        url, []::varchar[], lost_text
    from stg_defihacklabs__exploits
    where reject_reason is null
),

dn_institute as (
    select
        source, source_record_key, 'dn_institute', 7, 7,
        incident_date, 'day', victim, null, null, []::varchar[], array_to_string(attack_types, ' | '),
        null, array_to_string(attack_types, ' | '), null, null,
        null, null, null, []::varchar[], amount_usd, null,
        url, []::varchar[], description
    from stg_dn_institute__incidents
    where reject_reason is null
),

rekt_news as (
    select
        source, source_record_key, 'rekt_news', 8, 8,
        incident_date, 'day', victim, null, null, []::varchar[], null,
        null, array_to_string(tags, ' | '), null, null,
        -- Its amounts are headlines, not theft values (Gala 2024: $216M
        -- minted, $21M taken; WOOFi: $85M for $8.5M): kept in staging only.
        null, null, null, []::varchar[], null, null,
        url, []::varchar[], description
    from stg_rekt_news__leaderboard
    where reject_reason is null
),

unioned as (
    select * from curated
    union all select * from defillama
    union all select * from blocksec
    union all select * from slowmist
    union all select * from defi_rekt
    union all select * from defihacklabs
    union all select * from dn_institute
    union all select * from rekt_news
),

-- Words split on anything but letters and digits, for name_key; joined
-- they are the name without anything but letters and digits, which saves a
-- second regex pass over every name (1.69 -> 1.59 CPU s at 1000x, staging
-- read from tables).
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
