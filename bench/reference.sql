-- The near-limit reference: heiststat's job written by hand as one DuckDB
-- script over the generated feeds, run in-process by the same DuckDB
-- (heistbench ref). ${IN} and ${OUT} are replaced by the driver.
--
-- Same as heiststat: read the landed formats (DeFiLlama JSON, curated CSV,
-- yfinance CSVs, ECB CSV), quarantine-free typing of the one kind of bad record
-- the generator plants (an unparseable DeFiLlama amount is left out), native
-- valuation at the as-of USD close within 7 days, reported USD otherwise, the
-- ECB GBP cross rate as of the theft date, annual totals with YoY, and the
-- Parquet (zstd) and CSV outputs. Not done here: landing and hashing, the
-- rejects output, cross-source matching (the generator makes every victim a
-- distinct incident to heiststat's rules, bench/gen), incident categories and
-- attribution, data tests, comments, the manifest and the atomic publish.
-- heistbench fails unless its annual incidents, stolen_usd and stolen_gbp
-- are heiststat's exactly.
SET TimeZone = 'UTC';
SET asof_loop_join_threshold = 0;

CREATE TABLE prices AS
SELECT
    upper(regexp_extract(filename, '([^/]+)-USD\.csv$', 1)) AS asset,
    Date AS price_date,
    year(Date)::INTEGER AS year,
    Close AS close_usd
FROM read_csv('${IN}/yfinance/*-USD.csv', skip = 3, header = false, auto_detect = false,
    delim = ',', filename = true,
    columns = {Date: 'DATE', Close: 'DOUBLE', High: 'DOUBLE', Low: 'DOUBLE', Open: 'DOUBLE', Volume: 'BIGINT'});

CREATE TABLE fx AS
WITH wide AS (
    SELECT * FROM read_csv('${IN}/ecb/eurofxref-hist.csv', header = true, nullstr = 'N/A')
),
long AS (
    UNPIVOT (SELECT Date, COLUMNS('^[A-Z]{3}$')::DOUBLE FROM wide) ON COLUMNS(* EXCLUDE (Date)) INTO NAME currency VALUE per_eur
),
with_eur AS (
    SELECT Date AS rate_date, currency, per_eur::DOUBLE AS per_eur FROM long
    UNION ALL
    SELECT Date, 'EUR', 1.0 FROM wide WHERE USD IS NOT NULL
)
SELECT r.rate_date, r.currency, r.per_eur, u.per_eur AS usd_per_eur, r.per_eur / u.per_eur AS per_usd
FROM with_eur r
JOIN with_eur u ON u.rate_date = r.rate_date AND u.currency = 'USD';

CREATE TABLE hacks AS
SELECT
    'defillama:' || row_number() OVER () AS incident_id,
    (DATE '1970-01-01' + CAST(floor(date / 86400) AS INTEGER)) AS incident_date,
    trim(regexp_replace(name, '\s+', ' ', 'g')) AS victim,
    NULL::VARCHAR AS actor,
    try_cast(amount AS DECIMAL(18, 2)) AS amount_usd,
    try_cast(returnedFunds AS DECIMAL(18, 2)) AS returned_usd
FROM read_json('${IN}/defillama/hacks.json', format = 'array', columns = {
    date: 'BIGINT', name: 'VARCHAR', classification: 'VARCHAR', technique: 'VARCHAR',
    amount: 'VARCHAR', chain: 'VARCHAR[]', bridgeHack: 'BOOLEAN', targetType: 'VARCHAR',
    source: 'VARCHAR', returnedFunds: 'VARCHAR', defillamaId: 'VARCHAR',
    parentProtocolId: 'VARCHAR', language: 'VARCHAR'})
WHERE amount IS NULL OR try_cast(amount AS DECIMAL(18, 2)) IS NOT NULL;

CREATE TABLE curated AS
SELECT * FROM read_csv('${IN}/curated/incidents.csv', header = true, auto_detect = false, delim = ',', quote = '"',
    columns = {
    incident_key: 'VARCHAR', incident_date: 'DATE', date_precision: 'VARCHAR', victim: 'VARCHAR',
    victim_type: 'VARCHAR', country: 'VARCHAR', actor: 'VARCHAR', actor_group: 'VARCHAR',
    attribution_strength: 'VARCHAR', attribution_source: 'VARCHAR', citation_url: 'VARCHAR',
    stolen_assets: 'VARCHAR', assets_complete: 'BOOLEAN', reported_usd: 'DECIMAL(18,2)',
    reported_usd_low: 'DECIMAL(18,2)', reported_usd_high: 'DECIMAL(18,2)', returned_usd: 'DECIMAL(18,2)',
    chains: 'VARCHAR', technique: 'VARCHAR', flags: 'VARCHAR', notes: 'VARCHAR'});

CREATE TABLE incident_assets AS
WITH items AS (
    SELECT incident_key, incident_date,
        unnest(string_split(stolen_assets, ';')) AS item,
        unnest(range(1, len(string_split(stolen_assets, ';')) + 1)) AS asset_ordinal
    FROM curated WHERE stolen_assets IS NOT NULL
),
assets AS (
    SELECT incident_key, incident_date, asset_ordinal::INTEGER AS asset_ordinal,
        upper(split_part(trim(item), ' ', 2)) AS asset,
        CAST(split_part(trim(item), ' ', 1) AS DOUBLE) AS quantity
    FROM items
)
SELECT a.incident_key AS incident_id, a.asset_ordinal, a.asset, a.quantity,
    CASE WHEN a.incident_date - p.price_date <= 7 THEN p.close_usd END AS price_usd,
    CASE WHEN a.incident_date - p.price_date <= 7 THEN p.price_date END AS price_date
FROM assets a
ASOF LEFT JOIN prices p ON p.asset = a.asset AND a.incident_date >= p.price_date;

CREATE TABLE incidents_usd AS
WITH native AS (
    SELECT incident_id, count(*) AS n_assets, count(price_usd) AS n_priced,
        sum(CAST(quantity * price_usd AS DECIMAL(38, 6))) AS value_usd
    FROM incident_assets GROUP BY incident_id
)
SELECT c.incident_key AS incident_id, c.incident_date, c.victim, c.actor,
    CASE WHEN c.assets_complete AND n.n_assets = n.n_priced THEN round(n.value_usd, 2)::DECIMAL(18, 2)
        ELSE c.reported_usd END AS amount_usd,
    c.returned_usd
FROM curated c LEFT JOIN native n ON n.incident_id = c.incident_key
UNION ALL
SELECT incident_id, incident_date, victim, actor, amount_usd, returned_usd FROM hacks;

CREATE TABLE incidents AS
SELECT i.incident_id, i.incident_date, year(i.incident_date)::INTEGER AS year, i.victim, i.actor,
    i.amount_usd, round(i.amount_usd * fx.per_usd, 2)::DECIMAL(18, 2) AS amount_gbp,
    fx.rate_date AS fx_rate_date, fx.per_usd AS gbp_per_usd, i.returned_usd
FROM incidents_usd i
ASOF LEFT JOIN (SELECT * FROM fx WHERE currency = 'GBP') fx ON i.incident_date >= fx.rate_date;

CREATE TABLE annual AS
WITH totals AS (
    SELECT year, count(*) AS incidents,
        coalesce(sum(amount_usd), 0)::DECIMAL(18, 2) AS stolen_usd,
        coalesce(sum(amount_gbp), 0)::DECIMAL(18, 2) AS stolen_gbp,
        coalesce(sum(returned_usd), 0)::DECIMAL(18, 2) AS returned_usd
    FROM incidents GROUP BY year
)
SELECT year, incidents, stolen_usd, stolen_gbp, returned_usd,
    round(100 * (stolen_usd - lag(stolen_usd) OVER w) / nullif(lag(stolen_usd) OVER w, 0), 1)::DECIMAL(9, 1) AS yoy_stolen_usd_pct
FROM totals WINDOW w AS (ORDER BY year);

COPY (SELECT * FROM incidents ORDER BY incident_id) TO '${OUT}/incidents.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT * FROM incident_assets ORDER BY incident_id, asset_ordinal) TO '${OUT}/incident_assets.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT * FROM prices ORDER BY asset, price_date) TO '${OUT}/prices.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT * FROM fx ORDER BY rate_date, currency) TO '${OUT}/fx.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT * FROM annual ORDER BY year) TO '${OUT}/annual.csv' (FORMAT csv, HEADER true);
