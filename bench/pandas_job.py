"""The peer a user would otherwise write: heiststat's job on the generated
feeds in pandas (Debian's python3-pandas). Usage: pandas_job.py IN_DIR OUT_DIR.

It computes what bench/reference.sql computes, the same way (see there for
what is and is not equivalent to heiststat): the as-of close within 7 days,
the ECB GBP rate as of the theft date, and DuckDB's decimal arithmetic and
rounding (half away from zero) done on integer cents, so its annual totals
are heiststat's to the cent; float sums of 10^13 USD are not. Debian bookworm ships no Parquet engine for
pandas (no pyarrow or fastparquet package), so the tables heiststat writes as
Parquet are written as CSV here; the phase timings it prints show the share
of writing.
"""
import glob
import json
import os
import sys
import time
from decimal import Decimal

import numpy as np
import pandas as pd

t0 = time.monotonic()
phases = {}


def half_up(x):
    """DuckDB's rounding of a non-negative double to a whole number."""
    return np.floor(x + 0.5)


def money(cents):
    """A DECIMAL(18, 2) as DuckDB writes it, from whole cents."""
    return "%d.%02d" % divmod(int(cents), 100)


def phase(name):
    global t0
    now = time.monotonic()
    phases[name] = now - t0
    t0 = now


src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)

# Prices: one yfinance CSV per asset, three header rows.
frames = []
for path in sorted(glob.glob(os.path.join(src, "yfinance", "*-USD.csv"))):
    df = pd.read_csv(path, skiprows=3, header=None, usecols=[0, 1], names=["price_date", "close_usd"],
                     parse_dates=["price_date"], dtype={"close_usd": "float64"})
    df["asset"] = os.path.basename(path)[: -len("-USD.csv")].upper()
    frames.append(df)
prices = pd.concat(frames, ignore_index=True)

# ECB: wide, newest first, trailing comma, N/A for discontinued currencies.
wide = pd.read_csv(os.path.join(src, "ecb", "eurofxref-hist.csv"), na_values=["N/A"], parse_dates=["Date"])
wide = wide[[c for c in wide.columns if c == "Date" or (len(c) == 3 and c.isupper())]]
fx = wide.melt(id_vars="Date", var_name="currency", value_name="per_eur").dropna()
eur = wide.loc[wide["USD"].notna(), ["Date"]].assign(currency="EUR", per_eur=1.0)
fx = pd.concat([fx, eur], ignore_index=True).rename(columns={"Date": "rate_date"})
usd = fx.loc[fx["currency"] == "USD", ["rate_date", "per_eur"]].rename(columns={"per_eur": "usd_per_eur"})
fx = fx.merge(usd, on="rate_date")
fx["per_usd"] = fx["per_eur"] / fx["usd_per_eur"]

# DeFiLlama hacks; an unparseable amount leaves the record out.
with open(os.path.join(src, "defillama", "hacks.json")) as f:
    hacks = pd.DataFrame(json.load(f))
amount = pd.to_numeric(hacks["amount"], errors="coerce")
hacks = hacks[hacks["amount"].isna() | amount.notna()].copy()
hacks["incident_id"] = ["defillama:%d" % (i + 1) for i in range(len(hacks))]
hacks["incident_date"] = pd.to_datetime(hacks["date"], unit="s").dt.normalize()
hacks["amount_cents"] = half_up(pd.to_numeric(hacks["amount"], errors="coerce") * 100).astype("Int64")
hacks["returned_usd"] = pd.to_numeric(hacks["returnedFunds"], errors="coerce")
hacks["victim"] = hacks["name"].str.replace(r"\s+", " ", regex=True).str.strip()
hacks["actor"] = None

curated = pd.read_csv(os.path.join(src, "curated", "incidents.csv"), parse_dates=["incident_date"], dtype={"stolen_assets": str})
phase("read")

# Native assets, priced at the as-of close within 7 days.
items = curated.loc[curated["stolen_assets"].notna(), ["incident_key", "incident_date", "stolen_assets"]].copy()
items["item"] = items["stolen_assets"].str.split(";")
items = items.explode("item")
items["asset_ordinal"] = items.groupby(level=0).cumcount() + 1
parts = items["item"].str.strip().str.split(" ", n=1, expand=True)
items["quantity"] = parts[0].astype("float64")
items["asset"] = parts[1].str.upper()
items = items.sort_values("incident_date")
priced = pd.merge_asof(items, prices.sort_values("price_date"), left_on="incident_date", right_on="price_date",
                       by="asset", direction="backward", tolerance=pd.Timedelta(days=7))
# Each asset's value as DECIMAL(38, 6) (millionths), summed exactly, then
# rounded to cents.
priced["value"] = priced["quantity"] * priced["close_usd"]
priced["value_micros"] = half_up(priced["value"] * 1e6).astype("Int64")
native = priced.groupby("incident_key").agg(n_assets=("asset", "size"), n_priced=("close_usd", "count"),
                                            value_micros=("value_micros", "sum"))
curated = curated.merge(native, left_on="incident_key", right_index=True, how="left")
use_native = curated["assets_complete"].fillna(False).astype(bool) & (curated["n_assets"] == curated["n_priced"])
curated["amount_cents"] = ((curated["value_micros"] + 5000) // 10000).where(
    use_native, half_up(curated["reported_usd"] * 100).astype("Int64"))
curated = curated.rename(columns={"incident_key": "incident_id"})

cols = ["incident_id", "incident_date", "victim", "actor", "amount_cents", "returned_usd"]
incidents = pd.concat([curated[cols], hacks[cols]], ignore_index=True).sort_values("incident_date")
gbp = fx.loc[fx["currency"] == "GBP", ["rate_date", "per_usd"]].sort_values("rate_date")
incidents = pd.merge_asof(incidents, gbp, left_on="incident_date", right_on="rate_date", direction="backward")
incidents["amount_usd"] = incidents["amount_cents"].astype("float64") / 100
# round(amount_usd * per_usd, 2) in DOUBLE, then DECIMAL(18, 2).
incidents["gbp_cents"] = half_up(incidents["amount_usd"] * incidents["per_usd"] * 100).astype("Int64")
incidents["amount_gbp"] = incidents["gbp_cents"].astype("float64") / 100
incidents["year"] = incidents["incident_date"].dt.year

annual = incidents.groupby("year").agg(
    incidents=("incident_id", "size"), stolen_cents=("amount_cents", "sum"),
    gbp_cents=("gbp_cents", "sum"), returned_usd=("returned_usd", "sum")).reset_index()
annual["yoy_stolen_usd_pct"] = (100 * annual["stolen_cents"].astype("float64").pct_change()).round(1)
annual["stolen_usd"] = annual["stolen_cents"].map(money)
annual["stolen_gbp"] = annual["gbp_cents"].map(money)
annual = annual[["year", "incidents", "stolen_usd", "stolen_gbp", "returned_usd", "yoy_stolen_usd_pct"]]
phase("compute")

incidents.sort_values("incident_id").to_csv(os.path.join(out, "incidents.csv"), index=False)
priced.sort_values(["incident_key", "asset_ordinal"]).to_csv(os.path.join(out, "incident_assets.csv"), index=False)
prices.sort_values(["asset", "price_date"]).to_csv(os.path.join(out, "prices.csv"), index=False)
fx.sort_values(["rate_date", "currency"]).to_csv(os.path.join(out, "fx.csv"), index=False)
annual.to_csv(os.path.join(out, "annual.csv"), index=False, float_format="%.2f")
phase("write")

print(json.dumps({k: round(v, 3) for k, v in phases.items()}))
