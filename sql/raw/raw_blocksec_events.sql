-- BlockSec security-incident events, one row per event of the response's
-- list. Scalars are text (loss is a decimal string, date unix ms) and typed
-- in staging; transactions stay JSON. _file and _position (1-based place
-- in the list) say which of two records with one id came first.
-- records: blocksec_events
with docs as (
    select filename, list
    from read_json(getvariable('files_blocksec_events'), format = 'unstructured', filename = true,
        columns = {list: 'JSON[]'})
)

select
    e->>'id' as id,
    e->>'project' as project,
    e->>'loss' as loss,
    e->>'date' as date,
    e->>'rootCause' as rootCause,
    e->>'media' as media,
    e->>'rescued' as rescued,
    e->'chainIds' as chainIds,
    e->'transactions' as transactions,
    d.filename as _file,
    d._position,
    m.source as _source,
    m.fetched_at as _fetched_at
from (select filename, unnest(list) as e, generate_subscripts(list, 1) as _position from docs) d
join meta_landed_files m on m.path = d.filename
