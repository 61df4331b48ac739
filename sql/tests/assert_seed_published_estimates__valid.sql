-- Every published estimate names its year, publisher, edition, scope and the
-- URL it was read at, with a figure or a count.
select *
from seed_published_estimates
where try_cast(trim(year) as integer) is null
    or nullif(trim(publisher), '') is null
    or not regexp_full_match(trim(edition), '[0-9]{4}-[0-9]{2}(-[0-9]{2})?')
    or trim(scope) not in ('hacks', 'hacks_and_scams', 'services', 'dprk', 'defi')
    or lower(trim(actor)) not in ('all', 'dprk')
    or not regexp_matches(trim(url), '^https?://')
    or (nullif(trim(stolen_usd), '') is null and nullif(trim(incidents), '') is null)
    or (nullif(trim(stolen_usd), '') is not null and try_cast(trim(stolen_usd) as decimal(18, 2)) is null)
