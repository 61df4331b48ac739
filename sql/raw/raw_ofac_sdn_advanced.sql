-- OFAC sdn_advanced.xml, parsed in Go (sources/ofac/advanced.go) and
-- registered as the Arrow view arrow_ofac_sdn_advanced: one row per digital
-- currency address and program of a sanctioned party.
-- records: ofac_sdn_advanced
select r.profile_id, r.address, r.asset, r.entity, r.program,
    m.source as _source, m.fetched_at as _fetched_at
from arrow_ofac_sdn_advanced r
join meta_landed_files m on m.path = r._path
