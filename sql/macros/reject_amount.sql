-- Why an incident's USD amount is rejected: amount_text as the feed wrote it,
-- amount_usd as parsed (NULL when unparseable); NULL when it is accepted.
create or replace temp macro reject_amount(amount_text, amount_usd) as
    case
        when lower(trim(amount_text)) in ('nan', '-nan', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity') then 'amount is not a finite number'
        when try_cast(trim(amount_text) as double) >= 1e11 then 'amount above the plausible bound (USD 100 billion)'
        when nullif(trim(amount_text), '') is not null and amount_usd is null then 'unparseable amount'
        when amount_usd < 0 then 'negative amount'
    end
