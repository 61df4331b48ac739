-- DeFiLlama /hacks JSON as fetched. Numbers are read as text and typed in
-- staging, so one bad value is quarantined instead of failing the whole load;
-- defillamaId is text because it changed from int to string upstream.
-- records: defillama_hacks
select
    r.date, r.name, r.classification, r.technique, r.amount, r.chain,
    r.bridgeHack, r.targetType, r.source, r.returnedFunds, r.defillamaId,
    r.parentProtocolId, r.language,
    m.source as _source, m.fetched_at as _fetched_at
from read_json(getvariable('files_defillama_hacks'), format = 'array', filename = true, columns = {
    date: 'VARCHAR', name: 'VARCHAR', classification: 'VARCHAR', technique: 'VARCHAR',
    amount: 'VARCHAR', chain: 'JSON', bridgeHack: 'VARCHAR', targetType: 'VARCHAR',
    source: 'VARCHAR', returnedFunds: 'VARCHAR', defillamaId: 'VARCHAR',
    parentProtocolId: 'VARCHAR', language: 'VARCHAR'
}) r
join meta_landed_files m on m.path = r.filename
