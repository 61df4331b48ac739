-- 0xB10C sanctioned_addresses_<ASSET>.json lists, one row per address; the
-- asset is taken from the file name (the source checks the name and that the
-- file is a JSON array of strings).
with files as (
    select filename, content
    from read_text(getvariable('files_ofac_addresses'))
)

select
    regexp_extract(f.filename, 'sanctioned_addresses_([A-Za-z0-9]+)\.json$', 1) as asset,
    unnest(case when trim(f.content) = '' then []::varchar[] else from_json(f.content, '["VARCHAR"]') end) as address,
    m.source as _source,
    m.fetched_at as _fetched_at
from files f
join meta_landed_files m on m.path = f.filename
