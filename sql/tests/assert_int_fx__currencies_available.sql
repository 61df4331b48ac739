-- Every configured currency has ECB rates (a typo such as 'GPB', or a
-- currency the FX source does not carry, fails here instead of publishing NULLs).
select currency from (select unnest(getvariable('currencies')) as currency)
where (select count(*) from int_incidents__valued where amount_usd is not null) > 0
    and currency not in (select distinct currency from int_fx__daily)
