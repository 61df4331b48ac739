-- The change from base to value in percent, one decimal; NULL when base is
-- zero or absent.
create or replace temp macro pct_change(value, base) as
    round(100 * (value - base) / nullif(base, 0), 1)::decimal(18, 1)
