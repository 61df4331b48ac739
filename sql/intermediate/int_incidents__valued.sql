-- One row per incident: each field from the highest-precedence record that
-- has it (curated first; the date from int_incident_dates), chains, sources
-- and feeds from all records, the category of the highest-precedence record
-- that has a specific one (or a review's reclassification), and the USD
-- value, by arbitration:
--   1. native assets priced at the theft date (a review's, else the curated
--      list's complete set), when every asset is priced;
--   2. a reviewed figure (seed_incident_reviews);
--   3. when the feeds' figures differ by more than a factor of 3, their
--      median (flag amount_disputed): one feed's inflated figure does not win
--      by rank;
--   4. otherwise the highest-precedence feed's figure.
-- amount_citation is the URL behind the amount; reported_usd_low/high the
-- range of the feeds' figures. Most incidents have one record: their fields
-- are that record's, without the ordered aggregates.
with multi as (
    select incident_id from int_incidents__grouped group by incident_id having count(*) > 1
),

-- A one-element list is built as such, not through the costly
-- list_sort(list_distinct(...)). As there, a NULL drops out and NULL chains
-- or flags give an empty list.
single as (
    select
        incident_id,
        source,
        case when source is not null then [source] else [] end as sources,
        case when feed is not null then [feed] else [] end as feeds,
        case when match_rule <> 'lead' then [match_rule] end as match_rules,
        victim,
        victim_type,
        country,
        coalesce(list_sort(list_distinct(chains)), []) as chains,
        technique,
        classification,
        coalesce(case when category <> 'other' then category end, 'other') as category,
        actor_group,
        attribution_source,
        citation_url,
        coalesce(list_sort(list_distinct(flags)), []) as flags,
        reported_usd,
        returned_usd,
        case when reported_usd is not null then url end as reported_url,
        url as any_url
    from int_incidents__grouped
    anti join multi using (incident_id)
),

many as (
    select
        incident_id,
        first(source order by precedence, source, source_record_key) as source,
        list_sort(list_distinct(list(source))) as sources,
        list_sort(list_distinct(list(feed))) as feeds,
        list_sort(list_distinct(list(match_rule) filter (where match_rule <> 'lead'))) as match_rules,
        -- Placeholder names (BlockSec's 'N/A', 'Unknown') lose to real ones.
        first(victim order by lower(victim) in ('n/a', 'unknown'), precedence, source, source_record_key) as victim,
        first(victim_type order by precedence, source, source_record_key) filter (where victim_type is not null) as victim_type,
        first(country order by precedence, source, source_record_key) filter (where country is not null) as country,
        list_sort(list_distinct(flatten(list(chains)))) as chains,
        first(technique order by precedence, source, source_record_key) filter (where technique is not null) as technique,
        first(classification order by precedence, source, source_record_key) filter (where classification is not null) as classification,
        coalesce(first(category order by precedence, source, source_record_key) filter (where category <> 'other'), 'other') as category,
        first(actor_group order by precedence, source, source_record_key) filter (where actor_group is not null) as actor_group,
        first(attribution_source order by precedence, source, source_record_key) filter (where attribution_source is not null) as attribution_source,
        first(citation_url order by precedence, source, source_record_key) filter (where citation_url is not null) as citation_url,
        list_sort(list_distinct(flatten(list(flags)))) as flags,
        first(reported_usd order by precedence, source, source_record_key) filter (where reported_usd is not null) as reported_usd,
        first(returned_usd order by precedence, source, source_record_key) filter (where returned_usd is not null) as returned_usd,
        first(url order by precedence, source, source_record_key) filter (where reported_usd is not null and url is not null) as reported_url,
        first(url order by precedence, source, source_record_key) filter (where url is not null) as any_url
    from int_incidents__grouped
    semi join multi using (incident_id)
    group by incident_id
),

fields as (
    select
        f.incident_id, f.source, f.sources, f.feeds, f.match_rules, d.incident_date, d.date_precision,
        f.* exclude (incident_id, source, sources, feeds, match_rules)
    from (select * from single union all select * from many) f
    join int_incident_dates d using (incident_id)
),

completeness as (
    select incident_id, bool_or(complete) as assets_complete, first(origin order by origin = 'review' desc) as assets_origin
    from int_incident_asset_claims
    group by incident_id
),

-- The feeds' own figures, one per record, for the range and the median.
figures as (
    select
        incident_id,
        min(reported_usd) as low,
        max(reported_usd) as high,
        median(reported_usd) as mid,
        count(*) as n
    from int_incidents__grouped
    where reported_usd > 0
    group by incident_id
),

-- The record whose figure is nearest the median gives a median its citation.
median_urls as (
    select g.incident_id, first(g.url order by abs(g.reported_usd - f.mid), g.precedence, g.source, g.source_record_key) as url
    from int_incidents__grouped g
    join figures f using (incident_id)
    where g.reported_usd > 0 and g.url is not null
    group by g.incident_id
),

reviews as (
    select incident_id, decision, category, reviewed_usd, flags, citation_url, true as reviewed
    from int_incident_reviews
    where matched_incidents = 1
),

native as (
    select
        incident_id,
        count(*) as n_assets,
        count(price_usd) as n_priced,
        -- Exact decimal sum, so the total does not depend on summation order.
        sum(cast(quantity * price_usd as decimal(38, 6))) as native_value_usd,
        min(price_date) as price_date
    from int_incident_assets__priced
    group by incident_id
),

arbitrated as (
    select
        f.* exclude (category, flags, reported_url, any_url),
        coalesce(case when r.decision = 'reclassify' then r.category end, f.category) as category,
        coalesce(n.n_assets, 0) as n_assets,
        coalesce(n.n_priced, 0) as n_priced,
        case when n.n_assets = n.n_priced then round(n.native_value_usd, 2)::decimal(18, 2) end as native_value_usd,
        c.assets_complete and n.n_assets = n.n_priced as native_ok,
        c.assets_origin,
        r.reviewed_usd,
        r.citation_url as review_url,
        coalesce(r.reviewed, false) as is_reviewed,
        coalesce(r.flags, []) as review_flags,
        g.low as reported_usd_low,
        g.high as reported_usd_high,
        g.high > 3 * g.low as amount_disputed,
        round(g.mid, 2)::decimal(18, 2) as median_usd,
        m.url as median_url,
        f.reported_url,
        f.any_url,
        f.flags as record_flags,
        n.price_date as native_price_date
    from fields f
    left join completeness c using (incident_id)
    left join native n using (incident_id)
    left join figures g using (incident_id)
    left join median_urls m using (incident_id)
    left join reviews r using (incident_id)
)

select
    a.* exclude (native_ok, assets_origin, reviewed_usd, review_url, review_flags, median_usd, median_url,
        reported_url, any_url, record_flags, native_price_date, amount_disputed),
    case
        when a.native_ok then 'native_at_theft_date'
        when a.reviewed_usd is not null then 'reviewed_usd'
        when a.amount_disputed then 'median_of_feeds'
        when a.reported_usd is not null then 'reported_usd'
        else 'unvalued'
    end as valuation_method,
    case
        when a.native_ok then a.native_value_usd
        when a.reviewed_usd is not null then a.reviewed_usd
        when a.amount_disputed then a.median_usd
        else a.reported_usd
    end as amount_usd,
    case when a.native_ok then a.native_price_date end as price_date,
    case
        when a.native_ok and a.assets_origin = 'review' then a.review_url
        when a.native_ok then coalesce(a.citation_url, a.review_url)
        when a.reviewed_usd is not null then a.review_url
        when a.amount_disputed then coalesce(a.median_url, a.reported_url, a.any_url)
        when a.reported_usd is not null then coalesce(a.reported_url, a.review_url, a.any_url)
    end as amount_citation,
    list_sort(list_distinct(list_concat(a.record_flags, a.review_flags,
        case when a.amount_disputed then ['amount_disputed'] else [] end))) as flags
from arbitrated a
