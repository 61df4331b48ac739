-- DeFiHackLabs entries as parsed from the fetched README files (one JSON
-- object a line): the date as YYYYMMDD, name, root cause and the loss as
-- free text. All text; staging reads the amounts.
-- records: defihacklabs
select
    r.file, r.date, r.name, r.cause, r.lost,
    m.source as _source,
    m.fetched_at as _fetched_at
from read_json(getvariable('files_defihacklabs'), format = 'newline_delimited', filename = true, columns = {
    file: 'VARCHAR', date: 'VARCHAR', name: 'VARCHAR', cause: 'VARCHAR', lost: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
