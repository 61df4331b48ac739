-- Why value (a parsed number, NULL when unparseable) is no positive finite
-- number, naming it what; NULL when it is one.
create or replace temp macro reject_positive_number(value, what) as
    case
        when value is null then 'unparseable ' || what
        when not isfinite(value) then what || ' is not a finite number'
        when value <= 0 then 'non-positive ' || what
    end
