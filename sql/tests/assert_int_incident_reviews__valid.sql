-- Every review row is well formed and names at most one incident: a review
-- must be traceable (citation and reason) and must not cover two. (A review
-- whose incident is not in this run's feeds, offline say, matches none;
-- on the snapshot TestSnapshotReviewsMatch requires exactly one each.)
select review_key, matched_incidents, decision, category, citation_url, reason
from int_incident_reviews
where matched_incidents > 1
    or incident_date is null
    or citation_url is null or not regexp_matches(citation_url, '^https?://')
    or reason is null
    or decision not in ('native', 'usd', 'reclassify')
    or (decision = 'native' and (stolen_assets is null or not list_bool_and(list_transform(string_split(stolen_assets, ';'),
        a -> regexp_full_match(trim(a), '[0-9]+(\.[0-9]+)? [A-Za-z0-9.]+')))))
    or (decision = 'usd' and reviewed_usd is null)
    or (decision = 'reclassify' and (category is null or not list_contains(getvariable('categories'), category)))
    or not list_bool_and(list_transform(flags, f -> f in ('theft_disputed', 'reported_late', 'notional_mint', 'amount_uncertain', 'reimbursed_by_victim')))
