-- ECB rate points bundled in the binary (sources/bundled/fx.csv).
select r.rate_date, r.currency, r.per_eur, r.source as citation,
    m.source as _source, m.fetched_at as _fetched_at
from read_csv(getvariable('files_bundled_fx'), header = true, auto_detect = false,
    delim = ',', quote = '"', filename = true, columns = {
    rate_date: 'VARCHAR', currency: 'VARCHAR', per_eur: 'VARCHAR', source: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
