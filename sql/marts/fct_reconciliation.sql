-- Every feed record behind every canonical incident: the feed's own date,
-- name and amount beside the published ones, the rule that merged it, and
-- flags where the feed disagrees by more than the documented thresholds:
-- date more than 2 days from the incident date, amount outside 0.8-1.25
-- times the published USD amount.
-- Not sorted: each reader orders what it reads (the publish by the dataset
-- keys), so sorting the table too was wasted work.
select
    g.incident_id,
    i.incident_date,
    i.victim,
    i.amount_usd,
    g.feed,
    g.source,
    g.source_record_key,
    g.match_rule,
    g.incident_date as feed_date,
    g.victim as feed_name,
    g.reported_usd as feed_amount_usd,
    g.url as feed_url,
    g.category as feed_category,
    (g.incident_date - i.incident_date)::integer as date_gap_days,
    round(g.reported_usd / nullif(i.amount_usd, 0), 4)::decimal(12, 4) as amount_ratio,
    abs(g.incident_date - i.incident_date) > 2 and g.date_precision = 'day' as date_disagrees,
    coalesce(g.reported_usd / nullif(i.amount_usd, 0) not between 0.8 and 1.25, false) as amount_disagrees,
    g.victim_norm <> first(g.victim_norm) over (
        partition by g.incident_id order by g.precedence, g.source, g.source_record_key) as name_differs
from int_incidents__grouped g
join int_incidents__valued i using (incident_id)
