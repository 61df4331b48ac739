-- Every input record that could not be used, with its source and reason.
-- Not sorted: each reader orders what it reads (the publish by the dataset
-- keys), so sorting the table too was wasted work.
-- int_records__all keeps identical rejected records as one row with a count:
-- each is published once per copy, as when read record by record.
-- stg_load__rejects adds the lines the load's quarantine kept out.
select source, feed, source_record_key, reject_reason as reason, record
from int_records__all, range(records)
where reject_reason is not null
union all
select source, feed, source_record_key, reject_reason, record
from stg_load__rejects
