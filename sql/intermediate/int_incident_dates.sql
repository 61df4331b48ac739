-- The incident date rule, for every reader: an incident's date and its
-- precision are its best-dated record's, by date_precedence, then source and
-- key (seed_feed_precedence: BlockSec's on-chain time before the disclosure
-- dates of the other feeds).
with best as (
    select
        incident_id,
        arg_min({'incident_date': incident_date, 'date_precision': date_precision},
            (date_precedence, source, source_record_key)) as pick
    from int_incidents__grouped
    group by incident_id
)

select incident_id, pick.incident_date, pick.date_precision from best
