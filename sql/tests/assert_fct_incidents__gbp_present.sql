-- Every valued incident has a GBP value (an ECB rate on or before its date).
select incident_id, incident_date, amount_usd from fct_incidents where amount_usd is not null and amount_gbp is null
