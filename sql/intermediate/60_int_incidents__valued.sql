-- One row per incident: each field from the highest-precedence record that
-- has it (curated first; the date from the best-dated record, see
-- int_incident_records), chains, sources and feeds from all records, the
-- category of the highest-precedence record that has a specific one, and the USD
-- value: priced native amounts when the curated list gives the complete set
-- of stolen assets and every one is priced, else the reported USD figure.
-- Most incidents have one record (98% at 1000x): their fields are that
-- record's, as the aggregates below would give for one row, without the
-- ordered aggregates (about 4 s at 1000x when run over every incident).
with multi as (
    select incident_id from int_incidents__grouped group by incident_id having count(*) > 1
),

-- A one-element list is built as such: through list_sort(list_distinct(...))
-- it was 0.4 of this model's 1.8 CPU s at 1000x. As there, a NULL drops out
-- and NULL chains or flags give an empty list.
single as (
    select
        incident_id,
        source,
        case when source is not null then [source] else [] end as sources,
        case when feed is not null then [feed] else [] end as feeds,
        case when match_rule <> 'lead' then [match_rule] end as match_rules,
        incident_date,
        date_precision,
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
        returned_usd
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
        first(incident_date order by date_precedence, source, source_record_key) as incident_date,
        first(date_precision order by date_precedence, source, source_record_key) as date_precision,
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
        first(returned_usd order by precedence, source, source_record_key) filter (where returned_usd is not null) as returned_usd
    from int_incidents__grouped
    semi join multi using (incident_id)
    group by incident_id
),

fields as (
    select * from single
    union all
    select * from many
),

completeness as (
    select g.incident_id, bool_or(c.assets_complete) as assets_complete
    from int_incidents__grouped g
    join stg_curated__incidents c on c.source = g.source and c.source_record_key = g.source_record_key
    group by g.incident_id
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
)

select
    f.*,
    coalesce(n.n_assets, 0) as n_assets,
    coalesce(n.n_priced, 0) as n_priced,
    case when n.n_assets = n.n_priced then round(n.native_value_usd, 2)::decimal(18, 2) end as native_value_usd,
    case
        when c.assets_complete and n.n_assets = n.n_priced then 'native_at_theft_date'
        when f.reported_usd is not null then 'reported_usd'
        else 'unvalued'
    end as valuation_method,
    case
        when c.assets_complete and n.n_assets = n.n_priced then round(n.native_value_usd, 2)::decimal(18, 2)
        else f.reported_usd
    end as amount_usd,
    case when c.assets_complete and n.n_assets = n.n_priced then n.price_date end as price_date
from fields f
left join completeness c using (incident_id)
left join native n using (incident_id)
