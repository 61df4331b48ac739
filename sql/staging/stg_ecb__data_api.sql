-- ECB data-API exchange rates, long: one row per (day, currency) observation
-- in units of the currency per 1 EUR. The columns are found by their header
-- name (the raw model reads them by position), so the 8-column short form, the
-- full 32-column form and fully quoted files all read the same.
with src as (
    select *, list_value(*columns('^c[0-9]+$')) as cells from raw_ecb_data_api
),

header as (
    select
        _file,
        list_position(cells, 'CURRENCY') as p_currency,
        list_position(cells, 'CURRENCY_DENOM') as p_denom,
        list_position(cells, 'TIME_PERIOD') as p_period,
        list_position(cells, 'OBS_VALUE') as p_value
    from src
    where list_contains(cells, 'TIME_PERIOD')
),

observations as (
    select
        s._source,
        s._fetched_at,
        trim(s.cells[h.p_currency]) as currency,
        trim(s.cells[h.p_denom]) as denom,
        trim(s.cells[h.p_period]) as period,
        trim(s.cells[h.p_value]) as value
    from src s
    left join header h on h._file = s._file
    where not list_contains(s.cells, 'TIME_PERIOD')
),

classified as (
    select
        _source as source,
        coalesce(period, '') || '|' || coalesce(currency, '') as source_record_key,
        to_json(struct_pack(currency, denom, period, value))::varchar as record,
        try_cast(period as date) as rate_date,
        upper(currency) as currency,
        try_cast(value as double) as per_eur,
        case
            when nullif(currency, '') is null then 'missing CURRENCY'
            when denom is distinct from 'EUR' then 'not a rate per EUR (CURRENCY_DENOM ' || coalesce(denom, 'missing') || ')'
            when try_cast(period as date) is null then 'TIME_PERIOD is not a day'
            when try_cast(period as date) > _fetched_at::date then 'date in the future'
            when nullif(value, '') is null then 'missing OBS_VALUE'
            when try_cast(value as double) is null then 'unparseable OBS_VALUE'
            when not isfinite(try_cast(value as double)) then 'OBS_VALUE is not a finite number'
            when try_cast(value as double) <= 0 then 'non-positive OBS_VALUE'
        end as reject_reason
    from observations
),

-- Plausibility (docs/operations.md): a rate more than 10x away from more
-- than half of its currency's nearest rates (two days before, two after) is
-- a corrupted cell, not a market move, and would bend every figure
-- converted at it. A majority, so that one bad day does not condemn its
-- neighbours; lag and lead share one sort.
neighbours as (
    select
        *,
        coalesce(greatest(per_eur / lag(ok_rate, 2) over w, lag(ok_rate, 2) over w / per_eur) > 10, false)::int
            + coalesce(greatest(per_eur / lag(ok_rate) over w, lag(ok_rate) over w / per_eur) > 10, false)::int
            + coalesce(greatest(per_eur / lead(ok_rate) over w, lead(ok_rate) over w / per_eur) > 10, false)::int
            + coalesce(greatest(per_eur / lead(ok_rate, 2) over w, lead(ok_rate, 2) over w / per_eur) > 10, false)::int as far,
        (lag(ok_rate, 2) over w is not null)::int + (lag(ok_rate) over w is not null)::int
            + (lead(ok_rate) over w is not null)::int + (lead(ok_rate, 2) over w is not null)::int as near
    from (select *, case when reject_reason is null then per_eur end as ok_rate from classified)
    window w as (partition by source, currency order by rate_date)
)

select * exclude (far, near, ok_rate) replace (
    coalesce(reject_reason, case
        when 2 * far > near then 'rate more than 10x away from the neighbouring days'' rates'
    end) as reject_reason
)
from neighbours
