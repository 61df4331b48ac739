-- The data dictionary: every published column is described here. SCHEMA.md
-- is generated from these comments, and publishing fails if one is missing.

COMMENT ON TABLE fct_incidents IS 'One row per incident (records of the same theft in several feeds merged), valued at its theft date in USD and GBP.';
COMMENT ON COLUMN fct_incidents.incident_id IS 'Deterministic id: inc_ + 16 hex of sha256(lead source:lead record key). Stable across runs on the same inputs.';
COMMENT ON COLUMN fct_incidents.incident_date IS 'Theft date (UTC day). For curated incidents known only to the month or year, the first day of it (see date_precision).';
COMMENT ON COLUMN fct_incidents.year IS 'Calendar year of incident_date (UTC).';
COMMENT ON COLUMN fct_incidents.date_precision IS 'day, month or year: how precisely incident_date is known.';
COMMENT ON COLUMN fct_incidents.source IS 'The source whose record leads the incident (the curated list when it has the incident).';
COMMENT ON COLUMN fct_incidents.sources IS 'Every source that reports the incident, sorted.';
COMMENT ON COLUMN fct_incidents.victim IS 'Victim name as the leading source spells it.';
COMMENT ON COLUMN fct_incidents.victim_type IS 'cex, bridge, defi, wallet, payments, gaming (curated list only) or other (DeFiLlama targetType mapped; bridgeHack=true gives bridge).';
COMMENT ON COLUMN fct_incidents.country IS 'Victim country or region where known (curated list only).';
COMMENT ON COLUMN fct_incidents.chains IS 'Blockchains involved, from all sources, sorted.';
COMMENT ON COLUMN fct_incidents.technique IS 'Attack technique as the highest-precedence source describes it (free text).';
COMMENT ON COLUMN fct_incidents.classification IS 'DeFiLlama classification (its taxonomy changes over time; not an enum).';
COMMENT ON COLUMN fct_incidents.actor IS 'Attributed actor (e.g. DPRK); NULL when unattributed. A disputed attribution keeps its actor; flags then holds attribution_disputed.';
COMMENT ON COLUMN fct_incidents.actor_group IS 'Named group within the actor (e.g. Lazarus Group, TraderTraitor) where the attribution names one.';
COMMENT ON COLUMN fct_incidents.attribution_strength IS 'Strongest evidence for actor: G = government (FBI/DOJ, NPA, KNPA, UN PoE, MSMT, or an OFAC SDN address match), F = named analytics firm, C = community, suspected, or feed text only.';
COMMENT ON COLUMN fct_incidents.attribution_source IS 'Who made the attribution and when (citation text).';
COMMENT ON COLUMN fct_incidents.citation_url IS 'URL of the attribution source where one is recorded.';
COMMENT ON COLUMN fct_incidents.amount_usd IS 'Stolen value in USD at the theft date, DECIMAL(18,2), by arbitration (see valuation_method): priced native assets, else a reviewed figure, else the median of the feeds when they disagree by more than a factor of 3, else the highest-precedence feed figure.';
COMMENT ON COLUMN fct_incidents.amount_gbp IS 'amount_usd converted at the ECB GBP/USD cross rate (GBP per EUR / USD per EUR) of fx_rate_date, DECIMAL(18,2).';
COMMENT ON COLUMN fct_incidents.valuation_method IS 'native_at_theft_date (sum of native quantity x USD close on price_date, from a review or the curated list), reviewed_usd (a reviewed figure, seed incident_reviews), median_of_feeds (the feeds disagree by more than 3x: flag amount_disputed), reported_usd (the highest-precedence feed''s figure) or unvalued (counted, not summed).';
COMMENT ON COLUMN fct_incidents.native_value_usd IS 'Sum of the native stolen assets valued at the theft date when every asset could be priced; see parquet/incident_assets.';
COMMENT ON COLUMN fct_incidents.reported_usd IS 'USD figure reported by the highest-precedence source that has one (curated list, then feeds).';
COMMENT ON COLUMN fct_incidents.price_date IS 'For native valuation, the oldest price date used (the theft date, or the latest earlier day with a price).';
COMMENT ON COLUMN fct_incidents.fx_rate_date IS 'ECB business day whose rates gave amount_gbp: the theft date or the latest earlier ECB day.';
COMMENT ON COLUMN fct_incidents.gbp_per_usd IS 'GBP per USD cross rate used for amount_gbp.';
COMMENT ON COLUMN fct_incidents.returned_usd IS 'Funds returned, recovered or reimbursed in USD as the feeds report them (curated list, then DeFiLlama returnedFunds, De.Fi, BlockSec); split into recovered_usd and reimbursed_usd.';
COMMENT ON COLUMN fct_incidents.flags IS 'Confidence and review flags: date_approximate, amount_uncertain, assets_uncertain, victim_uncertain, country_uncertain, attribution_disputed, attribution_unconfirmed (curated list); amount_disputed (feeds differ by more than 3x); theft_disputed, reported_late (out of the headline tables unless include_disputed), notional_mint, reimbursed_by_victim (reviews).';
COMMENT ON COLUMN fct_incidents.match_rules IS 'How feed records were merged into this incident: name+date(<=7d), name+month, name+year, similar name+date(<=3d)+amount(>=0.8), date(<=1d)+amount(>=0.95, >=$10M); empty when the incident has one record.';

COMMENT ON TABLE fct_incident_assets IS 'Native stolen assets of each incident, as listed in the curated dataset, each priced in USD on the theft date.';
COMMENT ON COLUMN fct_incident_assets.incident_id IS 'The incident (see parquet/incidents).';
COMMENT ON COLUMN fct_incident_assets.asset_ordinal IS 'Position of the asset in the curated stolen_assets list.';
COMMENT ON COLUMN fct_incident_assets.asset IS 'Asset symbol as listed (upper case).';
COMMENT ON COLUMN fct_incident_assets.quantity IS 'Native quantity stolen.';
COMMENT ON COLUMN fct_incident_assets.priced_as IS 'The price series used: the asset itself, its equivalent (e.g. STETH -> ETH) or USD for a peg.';
COMMENT ON COLUMN fct_incident_assets.price_basis IS 'own_series, equivalent (sql/seeds/asset_equivalence.csv) or usd_peg; NULL when no price within max_price_age_days.';
COMMENT ON COLUMN fct_incident_assets.price_usd IS 'USD price per unit used (close of price_date, times the equivalence ratio).';
COMMENT ON COLUMN fct_incident_assets.price_date IS 'Day of the close used: the theft date or the latest earlier day with a price.';
COMMENT ON COLUMN fct_incident_assets.price_source IS 'The price source (config source name) or peg.';
COMMENT ON COLUMN fct_incident_assets.value_usd IS 'quantity x price_usd, DECIMAL(18,2).';

COMMENT ON TABLE fct_incident_amounts IS 'Each incident''s value in every published currency (long form), at the ECB cross rate of its theft date.';
COMMENT ON COLUMN fct_incident_amounts.incident_id IS 'The incident (see parquet/incidents).';
COMMENT ON COLUMN fct_incident_amounts.currency IS 'ISO currency code (GBP and any configured ECB currency).';
COMMENT ON COLUMN fct_incident_amounts.amount IS 'amount_usd x per_usd, DECIMAL(18,2).';
COMMENT ON COLUMN fct_incident_amounts.per_usd IS 'Units of the currency per USD: ECB currency per EUR / USD per EUR.';
COMMENT ON COLUMN fct_incident_amounts.fx_rate_date IS 'ECB business day of the rate: the theft date or the latest earlier ECB day.';

COMMENT ON TABLE fct_prices_daily IS 'Daily USD closes per asset used for valuation (one per asset and day after source precedence).';
COMMENT ON COLUMN fct_prices_daily.asset IS 'Asset symbol (upper case).';
COMMENT ON COLUMN fct_prices_daily.price_date IS 'UTC day of the close.';
COMMENT ON COLUMN fct_prices_daily.year IS 'Calendar year of price_date.';
COMMENT ON COLUMN fct_prices_daily.close_usd IS 'Daily close in USD.';
COMMENT ON COLUMN fct_prices_daily.source IS 'The price source (config source name) the close came from.';

COMMENT ON TABLE fct_fx_daily IS 'Exchange rates per business day and currency (ECB reference rates first, then FRED), with the cross rate per USD.';
COMMENT ON COLUMN fct_fx_daily.rate_date IS 'Business day of the rate (TARGET calendar for ECB rates, US calendar for FRED).';
COMMENT ON COLUMN fct_fx_daily.currency IS 'ISO currency code (EUR included as 1 per EUR).';
COMMENT ON COLUMN fct_fx_daily.per_eur IS 'Units of the currency per 1 EUR (ECB reference rate); for a FRED rate, derived through FRED''s EUR series, NULL when it lacks the day.';
COMMENT ON COLUMN fct_fx_daily.usd_per_eur IS 'USD per 1 EUR on the same day (NULL for a FRED rate without FRED''s EUR series that day).';
COMMENT ON COLUMN fct_fx_daily.per_usd IS 'Units of the currency per 1 USD: per_eur / usd_per_eur for ECB rates, as quoted (or inverted) for FRED.';
COMMENT ON COLUMN fct_fx_daily.source IS 'The FX source (config source name) the rate came from.';

COMMENT ON TABLE fct_rejects IS 'Input records that could not be used, with their source and reason; nothing is dropped silently.';
COMMENT ON COLUMN fct_rejects.source IS 'Config name of the source the record came from.';
COMMENT ON COLUMN fct_rejects.feed IS 'Feed format (the raw model that read the record).';
COMMENT ON COLUMN fct_rejects.source_record_key IS 'The record''s key within its source (e.g. date|name|n).';
COMMENT ON COLUMN fct_rejects.reason IS 'Why the record was rejected.';
COMMENT ON COLUMN fct_rejects.record IS 'The record as read, as JSON.';

COMMENT ON TABLE rpt_annual IS 'Annual totals over theft incidents (categories in theft_categories; scams are in annual_by_category), every year from the first to the last.';
COMMENT ON COLUMN rpt_annual.year IS 'Calendar year (UTC).';
COMMENT ON COLUMN rpt_annual.incidents IS 'Number of theft incidents in the year.';
COMMENT ON COLUMN rpt_annual.stolen_usd IS 'Sum of amount_usd (each valued at its theft date).';
COMMENT ON COLUMN rpt_annual.stolen_gbp IS 'Sum of amount_gbp (each at the ECB cross rate of its theft date).';
COMMENT ON COLUMN rpt_annual.yoy_incidents_pct IS 'Change in incidents against the previous year (for the partial year, against the previous year up to the same day: see yoy_basis), percent, 1 decimal; empty when the base is zero or absent.';
COMMENT ON COLUMN rpt_annual.yoy_stolen_usd_pct IS 'Change in stolen_usd against the previous year (for the partial year, against the previous year up to the same day: see yoy_basis), percent, 1 decimal; empty when the base is zero or absent.';
COMMENT ON COLUMN rpt_annual.yoy_stolen_gbp_pct IS 'Change in stolen_gbp against the previous year (for the partial year, against the previous year up to the same day: see yoy_basis), percent, 1 decimal; empty when the base is zero or absent.';
COMMENT ON COLUMN rpt_annual.is_partial_year IS 'true for the year of as_of_date when the data ends before 31 December: not a full-year figure.';
COMMENT ON COLUMN rpt_annual.as_of_date IS 'The date the data is taken to be complete to (config as_of, else the latest incident date).';
COMMENT ON COLUMN rpt_annual.incidents_valued IS 'Incidents with a USD value (summed in stolen_usd).';
COMMENT ON COLUMN rpt_annual.incidents_unvalued IS 'Incidents without a USD value (counted in incidents, not summed).';
COMMENT ON COLUMN rpt_annual.recovered_usd IS 'Sum of recovered_usd: money returned by the thieves, frozen or seized (not the victims reimbursement of their own customers).';
COMMENT ON COLUMN rpt_annual.reimbursed_usd IS 'Sum of reimbursed_usd: money victims paid back to their own customers (e.g. Bybit, DMM Bitcoin in 2024-25); not recovered from the thieves.';
COMMENT ON COLUMN rpt_annual.yoy_basis IS 'full_year, or ytd_to_MM-DD for the partial year: its YoY compares the year to date with the previous year up to the same day, never a part of a year with a whole one.';

COMMENT ON TABLE rpt_annual_by_actor IS 'Annual totals of theft incidents per attributed actor; unattributed covers the rest, so shares add to 100.';
COMMENT ON COLUMN rpt_annual_by_actor.year IS 'Calendar year (UTC).';
COMMENT ON COLUMN rpt_annual_by_actor.actor IS 'Attributed actor, or unattributed.';
COMMENT ON COLUMN rpt_annual_by_actor.incidents IS 'Number of the actor''s incidents in the year.';
COMMENT ON COLUMN rpt_annual_by_actor.stolen_usd IS 'Sum of amount_usd.';
COMMENT ON COLUMN rpt_annual_by_actor.stolen_gbp IS 'Sum of amount_gbp.';
COMMENT ON COLUMN rpt_annual_by_actor.share_of_year_pct IS 'stolen_usd as a percent of the year''s total, 1 decimal; empty when the year total is 0.';
COMMENT ON COLUMN rpt_annual_by_actor.yoy_incidents_pct IS 'The actors Change in incidents against the previous year (for the partial year, against the previous year up to the same day: see yoy_basis), percent, 1 decimal; empty when the base is zero or absent.';
COMMENT ON COLUMN rpt_annual_by_actor.yoy_stolen_usd_pct IS 'The actors Change in stolen_usd against the previous year (for the partial year, against the previous year up to the same day: see yoy_basis), percent, 1 decimal; empty when the base is zero or absent.';
COMMENT ON COLUMN rpt_annual_by_actor.yoy_stolen_gbp_pct IS 'The actors Change in stolen_gbp against the previous year (for the partial year, against the previous year up to the same day: see yoy_basis), percent, 1 decimal; empty when the base is zero or absent.';
COMMENT ON COLUMN rpt_annual_by_actor.is_partial_year IS 'true for a year the data does not fully cover (see annual.csv).';

COMMENT ON TABLE rpt_annual_by_source IS 'Annual counts and USD totals per source as each feed reports them, before merging or re-valuation.';
COMMENT ON COLUMN rpt_annual_by_source.year IS 'Calendar year (UTC) of the record''s date.';
COMMENT ON COLUMN rpt_annual_by_source.source IS 'Config name of the source.';
COMMENT ON COLUMN rpt_annual_by_source.incidents IS 'Accepted records of the source in the year.';
COMMENT ON COLUMN rpt_annual_by_source.stolen_usd IS 'Sum of the USD amounts the source reports (DeFiLlama amount, curated reported_usd).';
COMMENT ON COLUMN rpt_annual_by_source.incidents_without_amount IS 'Records with no USD amount (counted in incidents, not in stolen_usd).';

COMMENT ON COLUMN fct_incidents.feeds IS 'Every feed kind that reports the incident, sorted: curated, defillama, blocksec, slowmist, defi_rekt, defihacklabs, dn_institute, rekt_news.';
COMMENT ON COLUMN fct_incidents.category IS 'The incident category: thefts (hack_exploit, key_compromise, phishing, other) or losses nobody stole (rug_pull_scam, exchange_collapse, operator_fraud, funds_frozen, market_event, price_liquidation, notional_mint, seizure_value), from the highest-precedence record whose text matches sql/seeds/incident_categories.csv, or a reviews reclassification.';
COMMENT ON COLUMN fct_incidents.is_theft IS 'true when the incident counts in the headline tables: its category is one of theft_categories (default hack_exploit, key_compromise, phishing, other) and it is not flagged theft_disputed or reported_late (unless include_disputed is set).';
COMMENT ON COLUMN fct_incidents.attribution_evidence IS 'Every piece of attribution evidence, sorted: the curated list (with strength and citation), OFAC SDN address matches (address, entity, program, where the address was found), feed text naming an actor.';
COMMENT ON COLUMN fct_incidents.reimbursed_usd IS 'Money the victim paid back to its own customers (flag reimbursed_by_victim, e.g. Bybit, DMM Bitcoin), in USD: not recovered from the thieves.';
COMMENT ON COLUMN fct_incidents.recovered_usd IS 'Money returned by the thief, frozen or seized, in USD as reported: returned_usd unless a review says it is the victims reimbursement of its own customers.';
COMMENT ON COLUMN fct_incidents.is_reviewed IS 'true when a row of sql/seeds/incident_reviews.csv (a reviewed large incident, with its citation and reason) covers the incident.';
COMMENT ON COLUMN fct_incidents.amount_citation IS 'URL behind amount_usd: the reviews source, the curated lists citation for native amounts, or the winning feed records link (for a median, the record nearest it).';
COMMENT ON COLUMN fct_incidents.reported_usd_high IS 'Highest USD figure any feed reports for the incident, DECIMAL(18,2); more than 3 times reported_usd_low flags amount_disputed.';
COMMENT ON COLUMN fct_incidents.reported_usd_low IS 'Lowest USD figure any feed reports for the incident, DECIMAL(18,2).';

COMMENT ON TABLE fct_reconciliation IS 'Every feed record behind every canonical incident, with the feed''s own date, name and amount beside the published ones, and disagreement flags.';
COMMENT ON COLUMN fct_reconciliation.incident_id IS 'The canonical incident (see parquet/incidents).';
COMMENT ON COLUMN fct_reconciliation.incident_date IS 'Published incident date.';
COMMENT ON COLUMN fct_reconciliation.victim IS 'Published victim name.';
COMMENT ON COLUMN fct_reconciliation.amount_usd IS 'Published USD amount, DECIMAL(18,2).';
COMMENT ON COLUMN fct_reconciliation.feed IS 'Feed kind of the record: curated, defillama, blocksec, slowmist, defi_rekt or defihacklabs.';
COMMENT ON COLUMN fct_reconciliation.source IS 'Configured source name of the record.';
COMMENT ON COLUMN fct_reconciliation.source_record_key IS 'The record''s key within its source (De.Fi and BlockSec ids; date|name|ordinal for feeds without ids; incident_key for the curated list).';
COMMENT ON COLUMN fct_reconciliation.match_rule IS 'lead (the record that names the incident) or the rule that merged the record into it.';
COMMENT ON COLUMN fct_reconciliation.feed_date IS 'Incident date as the feed reports it.';
COMMENT ON COLUMN fct_reconciliation.feed_name IS 'Victim name as the feed spells it.';
COMMENT ON COLUMN fct_reconciliation.feed_amount_usd IS 'USD amount as the feed reports it; NULL when unknown (SlowMist and De.Fi 0).';
COMMENT ON COLUMN fct_reconciliation.feed_url IS 'The record''s own link where the feed gives one (SlowMist reference, De.Fi database entry, BlockSec media, the DeFiHackLabs README, curated citation).';
COMMENT ON COLUMN fct_reconciliation.feed_category IS 'Category the record''s own text maps to.';
COMMENT ON COLUMN fct_reconciliation.date_gap_days IS 'feed_date minus incident_date, in days.';
COMMENT ON COLUMN fct_reconciliation.amount_ratio IS 'feed_amount_usd / amount_usd.';
COMMENT ON COLUMN fct_reconciliation.date_disagrees IS 'true when the feed date is more than 2 days from incident_date (day-precision records).';
COMMENT ON COLUMN fct_reconciliation.amount_disagrees IS 'true when amount_ratio is outside 0.8-1.25.';
COMMENT ON COLUMN fct_reconciliation.name_differs IS 'true when the feed''s normalized name (after aliases) differs from the lead record''s.';

COMMENT ON TABLE rpt_annual_by_category IS 'Annual incidents and totals per category; is_theft marks the categories counted in the headline tables.';
COMMENT ON COLUMN rpt_annual_by_category.year IS 'Calendar year (UTC).';
COMMENT ON COLUMN rpt_annual_by_category.category IS 'One of hack_exploit, key_compromise, phishing, other (thefts by default) or rug_pull_scam, exchange_collapse, operator_fraud, funds_frozen, market_event, price_liquidation, notional_mint, seizure_value (losses nobody stole).';
COMMENT ON COLUMN rpt_annual_by_category.is_theft IS 'true when the category is in theft_categories (counted in annual.csv).';
COMMENT ON COLUMN rpt_annual_by_category.incidents IS 'Canonical incidents of the category in the year.';
COMMENT ON COLUMN rpt_annual_by_category.stolen_usd IS 'Sum of amount_usd, DECIMAL(18,2).';
COMMENT ON COLUMN rpt_annual_by_category.stolen_gbp IS 'Sum of amount_gbp, each at its theft-date rate, DECIMAL(18,2).';
COMMENT ON COLUMN rpt_annual_by_category.incidents_valued IS 'Incidents with a USD value (summed in stolen_usd).';
COMMENT ON COLUMN rpt_annual_by_category.incidents_unvalued IS 'Incidents without a USD value (counted in incidents, not summed).';

COMMENT ON COLUMN rpt_annual_by_actor.incidents_strength_g IS 'Incidents of the actor whose strongest evidence is G (government).';
COMMENT ON COLUMN rpt_annual_by_actor.incidents_strength_f IS 'Incidents of the actor whose strongest evidence is F (named analytics firm).';
COMMENT ON COLUMN rpt_annual_by_actor.incidents_strength_c IS 'Incidents of the actor whose strongest evidence is C (community, suspected or feed text).';
COMMENT ON COLUMN rpt_annual_by_actor.stolen_usd_strength_g IS 'USD stolen in the G-strength incidents, DECIMAL(18,2).';
COMMENT ON COLUMN rpt_annual_by_actor.as_of_date IS 'The date the data is complete to (the config''s as_of, else the latest incident date).';
COMMENT ON COLUMN rpt_annual_by_actor.incidents_valued IS 'Incidents with a USD value (summed in stolen_usd).';
COMMENT ON COLUMN rpt_annual_by_actor.incidents_unvalued IS 'Incidents without a USD value (counted in incidents, not summed).';
COMMENT ON COLUMN rpt_annual_by_actor.incidents_confirmed IS 'The actors incidents whose strongest evidence is G (government) or F (named firm or investigator): the confirmed count.';
COMMENT ON COLUMN rpt_annual_by_actor.stolen_usd_confirmed IS 'Sum of amount_usd over incidents_confirmed, DECIMAL(18,2): "at least this much confirmed".';
COMMENT ON COLUMN rpt_annual_by_actor.yoy_basis IS 'full_year, or ytd_to_MM-DD for the partial year: its YoY compares the year to date with the previous year up to the same day, never a part of a year with a whole one.';

COMMENT ON COLUMN rpt_annual_by_source.theft_incidents IS 'Records of the source whose own category is a theft (theft_categories).';
COMMENT ON COLUMN rpt_annual_by_source.theft_stolen_usd IS 'Sum of the reported USD of those records, DECIMAL(18,2).';
