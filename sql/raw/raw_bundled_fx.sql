-- ECB rate points bundled in the binary (sources/bundled/fx.csv).
-- Duplicates (pipeline/warehouse/quarantine.go): a second row for a (date, currency) is a reject; the first is kept.
-- quarantine key: 1, 2
-- records: bundled_fx
select r.rate_date, r.currency, r.per_eur, r.source as citation,
    m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_bundled_fx'), header = true, auto_detect = false,
    delim = ',', quote = '"', filename = true, columns = {
    rate_date: 'VARCHAR', currency: 'VARCHAR', per_eur: 'VARCHAR', source: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
