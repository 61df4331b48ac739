-- Lines the load's quarantine (pipeline/warehouse/quarantine.go) kept out of the raw
-- tables: wrong number of fields, a stray or unterminated quote, invalid
-- UTF-8. One row each, with the file, line number, truncated text and reason;
-- the rest of the file loaded. Warnings that did not keep a line out (invalid
-- UTF-8 replaced in a JSON file) are release notes, not rejects.
select
    source,
    feed,
    file_name || ':' || line as source_record_key,
    reason as reject_reason,
    to_json(struct_pack(file := file_name, line := line, text := text))::varchar as record
from meta_quarantined_lines
where rejected
