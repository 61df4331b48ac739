-- The totals every annual table aggregates, per group: incidents, those
-- valued, the value stolen in USD and GBP, and the same up to the as-of day
-- (ytd) for the partial year's YoY.
create or replace temp macro theft_totals(usd, gbp, ytd) as {
    'incidents': count(*),
    'incidents_valued': count(usd),
    'stolen_usd': sum(usd),
    'stolen_gbp': sum(gbp),
    'ytd_incidents': count(*) filter (where ytd),
    'ytd_stolen_usd': sum(usd) filter (where ytd),
    'ytd_stolen_gbp': sum(gbp) filter (where ytd)
}
