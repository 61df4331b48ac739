-- The date the data is taken to be complete to: the configured as_of, else
-- the latest incident date in the inputs. Derived from data, not the clock,
-- so the same inputs give the same outputs.
select coalesce(
    try_cast(nullif(getvariable('as_of'), '') as date),
    (select max(incident_date) from int_incident_records)
) as as_of_date
