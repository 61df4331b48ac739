-- Assigns every incident record to a canonical incident, in three steps that
-- each compare a record only with a small block of candidates (no cross join
-- of all records, so it scales with the number of records):
--   1. name islands: records known to the day with the same name_key, sorted
--      by date, stay together while consecutive dates are at most 7 days
--      apart (feeds are often a day apart, and disclosure dates up to a week
--      after the theft). A feed reports an incident once, so an island with
--      several records of one feed is split: the n-th record of each feed,
--      by date, goes to the n-th incident (De.Fi's many victims named
--      "Phishing" stay apart);
--   2. curated rows known only to the month or year join the island of the
--      same name_key in that month or year (the nearest one);
--   3. islands with different names merge when their chains do not
--      contradict and either their names are similar (Jaro-Winkler >= 0.8 or
--      one contains the other) with dates at most 3 days apart and amounts
--      within a ratio of 0.8, or they share no feed, their dates are at most
--      1 day apart and the amounts are within 0.95 and at least $10M (large
--      same-day thefts of the same size are the same theft whatever the
--      feeds call the victim). Candidates are
--      blocked on (day, amount bucket of a factor 1.25 in log scale) and, for
--      the name rule, the first or last 3 characters of name_key. Merges
--      always point to a better-ranked island and are followed to the end.
-- The lead record (lowest precedence, then source and key) names the
-- incident: incident_id = 'inc_' || first 16 hex of sha256(source:key).
-- Every step works on rk, one integer per record in the (precedence, source,
-- key) order the rules rank records by, and an island is named by an integer:
-- joins, sorts and group-bys on integers, not text keys, are what keeps it fast.
with recursive recs as (
    select
        source, source_record_key, precedence, date_precedence, incident_date, date_precision,
        name_key, reported_usd, chains, feed, rowid as record_rowid,
        row_number() over (order by precedence, source, source_record_key) as rk
    from int_incident_records
),

-- A large record whose victim and amount another feed reported 8 to 400
-- days earlier is the disclosure of that theft (Mirror: stolen in October
-- 2021, reported in May 2022): it is placed at the earlier date. Equal names
-- only, so this is an equi-join on the name.
disclosed as (
    select l.rk, min(e.incident_date) as theft_date
    from recs l
    join recs e on e.name_key = l.name_key and e.feed <> l.feed
        and e.incident_date between l.incident_date - 400 and l.incident_date - 8
    where l.date_precision = 'day' and e.date_precision = 'day'
        and l.reported_usd >= 50000000 and e.reported_usd >= 50000000
        and least(l.reported_usd, e.reported_usd) / greatest(l.reported_usd, e.reported_usd) >= 0.95
    group by l.rk
),

day_recs as (
    select
        r.rk, r.name_key, coalesce(d.theft_date, r.incident_date) as incident_date, r.feed, r.reported_usd,
        -- A name a feed uses for many victims ("Phishing") says nothing about
        -- which records are the same theft.
        count(*) over (partition by r.name_key, r.feed) >= 5 as generic_name
    from recs r
    left join disclosed d using (rk)
    where r.date_precision = 'day'
),

name_islands as (
    select
        *,
        sum(case when gap > 7 then 1 else 0 end) over (
            partition by name_key order by incident_date, rk
            rows between unbounded preceding and current row) as island_no
    from (
        select *, incident_date - lag(incident_date) over (partition by name_key order by incident_date, rk) as gap
        from day_recs
    )
),

-- When a feed has several records in an island, the n-th largest amount of
-- each feed goes to the n-th incident (a feed's second record is another
-- theft, and amounts pair them better than dates); two records of one feed
-- with the same amount are one theft reported twice; and an island with a
-- curated row is one theft, the curated row covering the feeds' partial
-- records (the HTX hot wallet inside "HTX + Heco Bridge").
island_facts as (
    select *, bool_or(feed = 'curated') over (partition by name_key, island_no) as has_curated
    from name_islands
),

split_islands as (
    select
        * exclude (has_curated),
        case
            when has_curated then 1
            when generic_name then row_number() over (partition by name_key, island_no, feed order by incident_date, rk)
            else dense_rank() over (partition by name_key, island_no, feed order by coalesce(reported_usd, -rk) desc)
        end as feed_no
    from island_facts
),

-- An island is named by the rk of its first record.
islands as (
    select
        rk, name_key, incident_date, island_no, feed_no,
        min(rk) over (partition by name_key, island_no, feed_no) as island,
        count(*) over (partition by name_key, island_no, feed_no) as island_size
    from split_islands
),

island_dates as (
    select island, name_key, island_no, feed_no, min(incident_date) as first_date, max(incident_date) as last_date
    from islands
    group by all
),

coarse as (
    select r.rk, r.name_key, r.date_precision, i.island as matched_island
    from recs r
    left join island_dates i
        on i.name_key = r.name_key
        and case r.date_precision
            when 'month' then date_trunc('month', r.incident_date) between date_trunc('month', i.first_date) and date_trunc('month', i.last_date)
            else year(r.incident_date) between year(i.first_date) and year(i.last_date)
        end
    where r.date_precision <> 'day'
    -- The nearest island, ties to the first by its former text name
    -- (name_key#island_no.feed_no; the name_key is the same for all).
    qualify row_number() over (
        partition by r.rk
        order by abs(r.incident_date - i.first_date), i.island_no::varchar || '.' || i.feed_no) = 1
),

-- single: the record is alone in its island (no coarse record joined it).
assigned as (
    select
        rk, island, 'name+date(<=7d)' as island_rule,
        island_size = 1 and island not in (select matched_island from coarse where matched_island is not null) as single
    from islands
    union all
    -- An unmatched coarse record is an island of its own, named by its rk.
    select
        rk, coalesce(matched_island, rk),
        case date_precision when 'month' then 'name+month' else 'name+year' end,
        matched_island is null
    from coarse
),

assigned_recs as (
    select
        a.island, a.single, r.rk, r.incident_date, r.date_precedence, r.date_precision, r.reported_usd,
        r.name_key, r.feed, r.chains
    from assigned a
    join recs r using (rk)
),

-- island_rank is the rk of the lead record, so ranks order islands by their
-- leads' (precedence, source, key). precedence and date_precedence are both
-- fixed per feed, so (date_precedence, rk) orders records by
-- (date_precedence, source, key). Most islands are one record: they take
-- its values as they are, and only the others are grouped.
ranked as (
    select
        island,
        min(rk) as island_rank,
        arg_min(incident_date, date_precedence * 4294967296 + rk)
            filter (where date_precision = 'day') as island_date,
        max(reported_usd) as amount,
        any_value(name_key) as name_key,
        list_sort(list_distinct(list(feed))) as feeds,
        list_sort(list_distinct(flatten(list(chains)))) as chains
    from assigned_recs
    where not single
    group by island
    union all
    -- The same values for one record (list_distinct drops nulls, as
    -- flatten does a null list).
    select
        island, rk, case when date_precision = 'day' then incident_date end, reported_usd, name_key,
        [feed], list_sort(list_distinct(coalesce(chains, [])))
    from assigned_recs
    where single
),

matchable as (
    select
        *,
        case when amount > 0 then floor(ln(amount) / ln(1.25))::bigint end as amount_bucket,
        -- Similar names nearly always share their first or last letters
        -- (PancakeBunny/Bunny): the name rule only compares groups with the
        -- same 3-character prefix or suffix.
        left(name_key, 3) as name_prefix,
        right(name_key, 3) as name_suffix
    from ranked
    where island_date is not null and amount > 0
),

-- Only the blocking columns, one probe per day offset. A pair of islands
-- at most 3 days apart is found from the later-dated one looking 0-3 days
-- back, so probes only look back (about half the rows of looking both ways).
-- The amount bucket is compared after the join, not expanded too.
probes as (
    select
        r.island, r.island_rank, r.island_date - d.d as probe_date, d.d as day_offset,
        r.amount, r.amount_bucket, r.name_prefix, r.name_suffix
    from matchable r
    cross join (select unnest(range(0, 4))::integer as d) d
),

-- The block is (day, amount bucket +-1); inside it only similar-looking
-- names (same prefix or suffix, +-3 days) and large amounts whatever the
-- name (>= $10M, +-1 day) go on to the costlier comparisons. Each of the
-- three is its own equi-join: one join on (day, bucket) filtered afterwards
-- made far more candidate rows, past the memory limit at scale. A
-- probe meets a target at most once per join, and each join leaves out the
-- pairs an earlier one found, so the union needs no costly distinct. A
-- same-day pair is met from both sides: the rank keeps the one whose target
-- ranks better. Merges only point to better-ranked islands, so each pair is
-- turned that way in directed.
blocked as (
    select p.island, p.island_rank, t.island as target_island, t.island_rank as target_rank
    from probes p
    join matchable t
        on t.island_date = p.probe_date and t.name_prefix = p.name_prefix
    where (p.day_offset > 0 or t.island_rank < p.island_rank) and abs(t.amount_bucket - p.amount_bucket) <= 1
    union all
    select p.island, p.island_rank, t.island, t.island_rank
    from probes p
    join matchable t
        on t.island_date = p.probe_date and t.name_suffix = p.name_suffix
    where (p.day_offset > 0 or t.island_rank < p.island_rank) and abs(t.amount_bucket - p.amount_bucket) <= 1
        and not coalesce(t.name_prefix = p.name_prefix, false)
    union all
    select p.island, p.island_rank, t.island, t.island_rank
    from probes p
    join matchable t
        on t.island_date = p.probe_date
    where (p.day_offset > 0 or t.island_rank < p.island_rank) and p.amount >= 10000000 and t.amount >= 10000000
        and p.day_offset <= 1
        and abs(t.amount_bucket - p.amount_bucket) <= 1
        -- Both rules need amounts within 0.8: this leaves out most of the
        -- large same-day pairs this join finds.
        and least(p.amount, t.amount) / greatest(p.amount, t.amount) >= 0.8
        and not coalesce(t.name_prefix = p.name_prefix or t.name_suffix = p.name_suffix, false)
),

directed as (
    select
        case when target_rank < island_rank then island else target_island end as island,
        case when target_rank < island_rank then target_island else island end as target_island
    from blocked
),

pairs as (
    select
        p.island,
        t.island as target_island,
        t.island_rank as target_rank,
        jaro_winkler_similarity(p.name_key, t.name_key) >= 0.8
            or contains(p.name_key, t.name_key) or contains(t.name_key, p.name_key) as similar_name,
        jaro_winkler_similarity(p.name_key, t.name_key) as name_similarity,
        abs(p.island_date - t.island_date) as day_gap,
        least(p.amount, t.amount) / greatest(p.amount, t.amount) as amount_ratio,
        least(p.amount, t.amount) as smaller_amount,
        list_has_any(p.feeds, t.feeds) as shared_feed,
        p.name_key = t.name_key as same_name
    from directed k
    join matchable p on p.island = k.island
    join matchable t on t.island = k.target_island
    where (len(p.chains) = 0 or len(t.chains) = 0 or list_has_any(p.chains, t.chains))
        -- The curated list is one row per theft: two curated incidents
        -- never merge (at 100x the synthetic victims "104" and "1043",
        -- 3 days and 16% apart, did).
        and not (list_contains(p.feeds, 'curated') and list_contains(t.feeds, 'curated'))
),
candidates as (
    select
        *,
        case
            -- Equal names were kept apart on purpose in step 1 (one feed, two records).
            when similar_name and not same_name and amount_ratio >= 0.8 then 'similar name+date(<=3d)+amount(>=0.8)'
            when not shared_feed and day_gap <= 1 and amount_ratio >= 0.95 and smaller_amount >= 10000000 then 'date(<=1d)+amount(>=0.95, >=$10M)'
        end as rule
    from pairs
),

best as (
    select island, target_island, rule
    from candidates
    where rule is not null
    qualify row_number() over (
        partition by island
        order by similar_name desc, name_similarity desc, day_gap, amount_ratio desc, target_rank) = 1
),

-- A merge target may itself merge into a better island: follow the chain to
-- its end (ranks strictly decrease, so it ends).
walk as (
    select island, target_island, 1 as hops from best
    union all
    select w.island, b.target_island, w.hops + 1
    from walk w
    join best b on b.island = w.target_island
),

roots as (
    select island, arg_max(target_island, hops) as final_island
    from walk
    group by island
),

resolved as (
    select
        r.island,
        coalesce(o.final_island, r.island) as final_island,
        b.rule as merge_rule
    from ranked r
    left join roots o on o.island = r.island
    left join best b on b.island = r.island
),

-- The lead record of each final island.
finals as (
    select v.island, v.merge_rule, l.rk as lead_rk, l.source as lead_source, l.source_record_key as lead_key
    from resolved v
    join ranked f on f.island = v.final_island
    join recs l on l.rk = f.island_rank
)

select
    r.source,
    r.source_record_key,
    -- The record's row in int_incident_records (a table of this run, never
    -- updated), for int_incidents__grouped to join on.
    r.record_rowid,
    f.lead_source,
    f.lead_key,
    case
        when a.rk = f.lead_rk then 'lead'
        when f.merge_rule is not null then f.merge_rule
        else a.island_rule
    end as match_rule,
    'inc_' || left(sha256(f.lead_source || ':' || f.lead_key), 16) as incident_id
from assigned a
join recs r using (rk)
join finals f using (island)
