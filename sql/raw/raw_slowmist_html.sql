-- SlowMist Hacked events as parsed from the fetched HTML pages (events.jsonl,
-- one JSON object a line), mapped onto the columns of the export (raw_slowmist_hacked)
-- so stg_slowmist__hacked reads both alike. The page shows the loss as
-- "$ 1,234.5" or in tokens ("120 ETH"); like the export, only a dollar
-- amount is a loss_usd (its number: "$ 160,000 DAI" is 160000; empty
-- otherwise, the token text stays in the archived page), and "-" is none.
-- A "$" without a number is passed on for staging to quarantine.
-- records: slowmist_hacked
select
    r.date,
    r.name,
    r.description,
    case
        when starts_with(trim(r.amount), '$') then coalesce(
            nullif(replace(regexp_extract(trim(r.amount), '^\$\s*([0-9][0-9,]*(\.[0-9]+)?)', 1), ',', ''), ''),
            trim(r.amount))
        else ''
    end as loss_usd,
    r.attack_method,
    r.reference,
    left(r.date, 4) as year,
    m.source as _source,
    m.fetched_at as _fetched_at
from read_json(getvariable('files_slowmist_html'), format = 'newline_delimited', filename = true, columns = {
    date: 'VARCHAR', name: 'VARCHAR', description: 'VARCHAR', amount: 'VARCHAR',
    attack_method: 'VARCHAR', reference: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
