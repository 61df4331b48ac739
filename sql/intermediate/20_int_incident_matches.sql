-- Links each feed record to the curated incident it reports, if any: same
-- normalized victim name (after aliases) and a theft date inside the curated
-- row's window: +-7 days when the curated date is known to the day, the same
-- month or year when only that is known. Feeds are often a day or more apart.
-- When several curated rows qualify, the nearest date wins.
with curated as (
    select * from int_incident_records where feed = 'curated'
),

feed as (
    select * from int_incident_records where feed <> 'curated'
),

candidates as (
    select
        f.source,
        f.source_record_key,
        c.source as matched_source,
        c.source_record_key as matched_key,
        abs(f.incident_date - c.incident_date) as day_gap,
        case c.date_precision
            when 'day' then 'name+date(+-7d)'
            when 'month' then 'name+month'
            else 'name+year'
        end as match_rule
    from feed f
    join curated c
        on f.victim_norm = c.victim_norm
        and case c.date_precision
            when 'day' then abs(f.incident_date - c.incident_date) <= 7
            when 'month' then date_trunc('month', f.incident_date) = date_trunc('month', c.incident_date)
            else year(f.incident_date) = year(c.incident_date)
        end
)

select source, source_record_key, matched_source, matched_key, day_gap, match_rule
from candidates
qualify row_number() over (partition by source, source_record_key order by day_gap, matched_source, matched_key) = 1
