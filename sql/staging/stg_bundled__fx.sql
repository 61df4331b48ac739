-- Bundled ECB rate points: day, currency, units per EUR and their source.
select
    _source as source,
    rate_date || '|' || currency as source_record_key,
    to_json(struct_pack(rate_date, currency, per_eur, citation))::varchar as record,
    try_cast(rate_date as date) as rate_date,
    upper(trim(currency)) as currency,
    try_cast(per_eur as double) as per_eur,
    citation,
    case
        when try_cast(rate_date as date) is null then 'unparseable date'
        when nullif(trim(currency), '') is null then 'missing currency'
        when try_cast(per_eur as double) is null or try_cast(per_eur as double) <= 0 then 'missing or non-positive rate'
        when not isfinite(try_cast(per_eur as double)) then 'rate is not a finite number'
    end as reject_reason
from raw_bundled_fx
