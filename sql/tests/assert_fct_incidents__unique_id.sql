-- Every incident appears once.
select incident_id, count(*) as n from fct_incidents group by incident_id having count(*) > 1
