-- Attribution of each incident from its evidence, strongest first:
--   curated list: the actor and strength (G/F/C) its authors assessed;
--   OFAC: an attacker address of the incident (BlockSec transactions, or
--     seed_curated_addresses with a citation) listed under a DPRK program or
--     the Lazarus Group entity: DPRK, strength G (a US government designation);
--   feed text: a SlowMist description naming Lazarus, TraderTraitor, APT38,
--     DPRK or North Korea: DPRK, strength C (weak).
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

text as (
    select distinct
        incident_id,
        'DPRK' as actor,
        'C' as strength,
        source || ': description names "' || regexp_extract(description,
            '(?i)(lazarus|tradertraitor|apt38|dprk|north korea)', 1) || '"' as evidence
    from recs
    where feed = 'slowmist' and regexp_matches(description, '(?i)lazarus|tradertraitor|apt38|\bdprk\b|north korea')
),

evidence as (
    select incident_id, actor, strength, evidence, true as is_curated from curated
    union all
    select incident_id, actor, strength, evidence, false from ofac
    union all
    select incident_id, actor, strength, evidence, false from text
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
