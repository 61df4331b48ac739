-- Links the records of an independent merge (one row per event; sources and
-- source_urls list the feeds and record links it merged) to this release's
-- records (parquet/reconciliation), then compares the pairs of records each
-- side puts together. Feeds are linked by their own record link:
--   defi_rekt  https://de.fi/rekt-database?id=N  (exact)
--   slowmist   the record's reference URL         (when one record has it)
--   blocksec   the event's media URL              (when one event has it)
--   defillama  no per-record link in the merge: linked when exactly one of
--              our DeFiLlama records has the event's date and name.
-- Only links that are unique on both sides count.
create or replace temp table ours as
select feed, source_record_key, incident_id, feed_url, feed_date, lower(feed_name) as feed_name, feed_amount_usd
from read_parquet(getvariable('reconciliation'));

create or replace temp table ref as
select
    row_number() over (order by date, name, source_urls) as event_no,
    date::date as event_date, name, loss_usd, string_split(sources, ',') as feeds,
    list_transform(string_split(source_urls, ' | '), u -> trim(u)) as urls
from read_csv(getvariable('reference'), header = true, all_varchar = true);

create or replace temp table links as
with url_links as (
    select r.event_no, o.feed, o.source_record_key, o.incident_id
    from (select event_no, feeds, unnest(urls) as url from ref) r
    join (select *, count(*) over (partition by feed, feed_url) as n from ours where feed in ('defi_rekt', 'slowmist', 'blocksec')) o
        on o.feed_url = r.url and o.n = 1 and list_contains(r.feeds, o.feed)
),

name_links as (
    select r.event_no, o.feed, o.source_record_key, o.incident_id
    from ref r
    join ours o on o.feed = 'defillama' and o.feed_date = r.event_date and o.feed_name = lower(r.name)
    where list_contains(r.feeds, 'defillama')
    qualify count(*) over (partition by r.event_no) = 1
),

all_links as (
    select * from url_links union all select * from name_links
)

select distinct * from all_links
qualify count(*) over (partition by feed, source_record_key) = 1;

create or replace temp table pairs as
with same_event as (
    select a.feed || ':' || a.source_record_key as a_key, b.feed || ':' || b.source_record_key as b_key
    from links a join links b on a.event_no = b.event_no
    where a.feed || ':' || a.source_record_key < b.feed || ':' || b.source_record_key
),

same_incident as (
    select a.feed || ':' || a.source_record_key as a_key, b.feed || ':' || b.source_record_key as b_key
    from links a join links b on a.incident_id = b.incident_id
    where a.feed || ':' || a.source_record_key < b.feed || ':' || b.source_record_key
)

select
    coalesce(e.a_key, i.a_key) as a_key,
    coalesce(e.b_key, i.b_key) as b_key,
    e.a_key is not null as in_reference,
    i.a_key is not null as in_ours
from same_event e
full join same_incident i on i.a_key = e.a_key and i.b_key = e.b_key;
