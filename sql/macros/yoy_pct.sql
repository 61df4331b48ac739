-- Year-on-year change in percent: against the previous year's total, or, in
-- the partial year, against the same part of the previous year (prior_ytd).
create or replace temp macro yoy_pct(value, prior, prior_ytd, is_partial_year) as
    pct_change(value, if(is_partial_year, prior_ytd, prior))
