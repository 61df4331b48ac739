-- theft_totals of a group with no theft (NULL) as zeros, money as DECIMAL.
create or replace temp macro zero_filled(t) as {
    'incidents': coalesce(t.incidents, 0),
    'incidents_valued': coalesce(t.incidents_valued, 0),
    'stolen_usd': coalesce(t.stolen_usd, 0)::decimal(18, 2),
    'stolen_gbp': coalesce(t.stolen_gbp, 0)::decimal(18, 2),
    'ytd_incidents': coalesce(t.ytd_incidents, 0),
    'ytd_stolen_usd': coalesce(t.ytd_stolen_usd, 0)::decimal(18, 2),
    'ytd_stolen_gbp': coalesce(t.ytd_stolen_gbp, 0)::decimal(18, 2)
}
