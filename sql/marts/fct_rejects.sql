-- Every input record that could not be used, with its source and reason.
select source, feed, source_record_key, reject_reason as reason, record
from int_records__all
where reject_reason is not null
order by source, feed, source_record_key, record
