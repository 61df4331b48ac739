-- Every accepted incident record of every feed in one shape, with the
-- normalized name used for matching (lower case, a-z0-9 only, then the alias
-- table). Precedence 1 is the curated list, which wins every field it has.
with curated as (
    select
        source, source_record_key, 1 as precedence, 'curated' as feed,
        incident_date, date_precision, victim, victim_type, country, chains, technique,
        null::varchar as classification, actor, actor_group, attribution_strength,
        attribution_source, citation_url, flags, reported_usd, returned_usd
    from stg_curated__incidents
    where reject_reason is null
),

defillama as (
    select
        source, source_record_key, 2 as precedence, 'defillama' as feed,
        incident_date, 'day' as date_precision, victim, victim_type, null as country,
        coalesce(chains, []) as chains, technique, classification, null as actor,
        null as actor_group, null as attribution_strength, null as attribution_source,
        null as citation_url, []::varchar[] as flags, amount_usd as reported_usd, returned_usd
    from stg_defillama__hacks
    where reject_reason is null
),

unioned as (
    select * from curated
    union all by name
    select * from defillama
),

aliases as (
    select
        regexp_replace(lower(alias), '[^a-z0-9]', '', 'g') as alias_norm,
        regexp_replace(lower(canonical), '[^a-z0-9]', '', 'g') as canonical_norm
    from seed_victim_aliases
)

select
    u.*,
    coalesce(a.canonical_norm, regexp_replace(lower(u.victim), '[^a-z0-9]', '', 'g')) as victim_norm
from unioned u
left join aliases a on a.alias_norm = regexp_replace(lower(u.victim), '[^a-z0-9]', '', 'g')
