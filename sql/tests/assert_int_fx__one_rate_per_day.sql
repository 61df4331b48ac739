-- One rate per (day, currency) after precedence.
select rate_date, currency, count(*) as n from int_fx__daily group by all having count(*) > 1
