-- Why a USD price per unit is rejected, naming it what (price, close); NULL
-- when it is a plausible price.
create or replace temp macro reject_price(value, what) as
    coalesce(reject_positive_number(value, what), case
        when value >= 1e7 then what || ' above the plausible bound (USD 10 million per unit)'
    end)
