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
            else reject_positive_number(try_cast(value as double), 'OBS_VALUE')
        end as reject_reason
    from observations
)

-- A rate far from its neighbouring days' rates is rejected too.
select * from reject_rate_outliers('classified')
