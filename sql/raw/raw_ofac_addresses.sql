-- 0xB10C sanctioned_addresses_<ASSET>.json lists, one row per address; the
-- asset is taken from the file's logical name (the source checks the name and
-- that the file is a JSON array of strings).
-- records: ofac_addresses
select
    regexp_extract(m.name, 'sanctioned_addresses_([A-Za-z0-9]+)\.json$', 1) as asset,
    r.address,
    m.source as _source,
    m.fetched_at as _fetched_at
from read_json(getvariable('files_ofac_addresses'), format = 'array', records = 'false', filename = true,
    columns = {address: 'VARCHAR'}) r
join meta_landed_files m on m.path = r.filename
