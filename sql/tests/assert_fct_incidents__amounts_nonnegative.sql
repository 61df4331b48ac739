-- Money is never negative.
select incident_id from fct_incidents where amount_usd < 0 or amount_gbp < 0 or returned_usd < 0
