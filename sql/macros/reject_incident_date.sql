-- Why a parsed incident date is rejected: before there was any crypto to
-- steal, or after the feed was fetched; NULL when it is accepted.
create or replace temp macro reject_incident_date(incident_date, fetched_date) as
    case
        when incident_date < date '2009-01-03' then 'date before 2009-01-03 (the first Bitcoin block)'
        when incident_date > fetched_date then 'date in the future'
    end
