-- A curated incident_key names one incident.
select source, incident_key, count(*) as n
from stg_curated__incidents
where reject_reason is null
group by all
having count(*) > 1
