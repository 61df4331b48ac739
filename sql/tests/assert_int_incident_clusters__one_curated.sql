-- Matching never merges two curated incidents (the curated list is one row
-- per theft), and every incident record lands in exactly one incident.
select incident_id, count(*) as n, 'two curated records' as problem
from int_incidents__grouped
where feed = 'curated'
group by incident_id
having count(*) > 1
union all
select source || ':' || source_record_key, count(distinct incident_id), 'record in several incidents'
from int_incident_clusters
group by source, source_record_key
having count(distinct incident_id) <> 1
union all
select 'records', abs((select count(*) from int_incident_records) - (select count(*) from fct_reconciliation)), 'records missing from reconciliation'
where (select count(*) from int_incident_records) <> (select count(*) from fct_reconciliation)
