-- Every OFAC-sanctioned digital currency address known to the run: the union
-- of the stg_ofac__* models, which share the contract columns (address,
-- asset, entity, program, _source; EVM addresses lower-cased). Lists without
-- entity names (the 0xB10C lists) take the entity and program that another
-- OFAC model gives the same address.
with unioned as (
    select address, asset, entity, program, _source from stg_ofac__sdn_csv where reject_reason is null
    union all
    select address, asset, entity, program, _source from stg_ofac__addresses where reject_reason is null
    union all
    select address, asset, entity, program, _source from stg_ofac__sdn_advanced where reject_reason is null
),

named as (
    select address, any_value(entity order by entity) as entity, any_value(program order by entity) as program
    from unioned
    where entity is not null
    group by address
)

select distinct
    u.address,
    u.asset,
    coalesce(u.entity, n.entity) as entity,
    coalesce(u.program, n.program) as program,
    u._source
from unioned u
left join named n using (address)
