-- rekt.news leaderboard entries as extracted from the page's __NEXT_DATA__
-- by the source (which checked the fields). rekt stays JSON (amount is a
-- number, date text); staging types it.
-- records: rekt_news
select r.* exclude (filename), m.source as _source, m.fetched_at as _fetched_at
from read_json(getvariable('files_rekt_news'), format = 'array', filename = true, columns = {
    date: 'VARCHAR', title: 'VARCHAR', rekt: 'JSON', tags: 'JSON', excerpt: 'VARCHAR', slug: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
