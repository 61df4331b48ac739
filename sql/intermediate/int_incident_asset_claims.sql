-- The native stolen assets each incident is valued from: a review's
-- (decision native) wins over the curated list's, being the later research;
-- complete says whether the list is the whole theft.
-- Priced at the earlier of the reviewed date and the incident's own date
-- (int_incident_dates), so no price
-- postdates the date published.
with reviewed as (
    select
        r.incident_id,
        least(r.incident_date, d.incident_date) as incident_date,
        r.stolen_assets, true as complete, 'review' as origin
    from int_incident_reviews r
    join int_incident_dates d using (incident_id)
    where r.decision = 'native' and r.matched_incidents = 1
    group by r.review_key, r.incident_id, r.incident_date, r.stolen_assets, d.incident_date
),

curated as (
    select g.incident_id, c.incident_date, c.stolen_assets, coalesce(c.assets_complete, false) as complete, 'curated' as origin
    from stg_curated__incidents c
    join int_incidents__grouped g on g.source = c.source and g.source_record_key = c.source_record_key
    where c.reject_reason is null and c.stolen_assets is not null
        and g.incident_id not in (select incident_id from reviewed)
)

select * from reviewed
union all
select * from curated
