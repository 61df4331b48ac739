-- De.Fi REKT API pages as fetched, one row per item, mapped onto the
-- columns of the export (raw_defi_rekt) so stg_defi_rekt__records reads both
-- alike: project_name is the name, name_categories the category, the
-- network's name the chain, scam_type.type and .name the type and its parent.
-- All text; staging types it.
-- records: defi_rekt
with docs as (
    select filename, items
    from read_json(getvariable('files_defi_rekt_api'), format = 'unstructured', filename = true,
        columns = {items: 'JSON[]'})
)

select
    e->>'id' as id,
    e->>'date' as date,
    e->>'project_name' as name,
    e->>'name_categories' as category,
    e->'network'->>'name' as chain,
    e->>'funds_lost' as funds_lost,
    e->>'funds_recovered' as funds_recovered,
    e->>'funds_returned' as funds_returned,
    e->'scam_type'->>'type' as scam_type,
    e->'scam_type'->>'name' as scam_parent,
    left(e->>'date', 4) as year,
    m.source as _source,
    m.fetched_at as _fetched_at
from (select filename, unnest(items) as e from docs) d
join meta_landed_files m on m.path = d.filename
