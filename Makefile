# All Go commands build with the duckdb_arrow tag and cgo (DuckDB is linked in).
GO      ?= go
TAGS    := -tags duckdb_arrow
export CGO_ENABLED := 1
BIN     := bin/heiststat
CONFIG  ?= configs/default.yaml

.PHONY: build run snapshot dedup-report test chaos bench bench-go bench-deps lint schema facts clean

build:
	$(GO) build $(TAGS) -o $(BIN) ./cmd/heiststat

# The main job. Exit 3 means published but degraded (a feed was unreachable
# and an archive or the bundled facts stood in): that still completes.
run: build
	@$(BIN) run --config $(CONFIG); status=$$?; \
	if [ $$status -eq 3 ]; then echo "make run: published, degraded (see the log and out/current/manifest.json)"; \
	elif [ $$status -ne 0 ]; then exit $$status; fi

# The same job on the real snapshots in ../shared/data.
snapshot: build
	$(BIN) run --config configs/snapshot.yaml

# Precision and recall of the incident matching on the snapshots, against the
# independent merge in ../shared/data (DeFi only: compared on the overlap).
dedup-report: snapshot
	$(BIN) dedup-report --release out/current \
		--reference ../shared/data/hacks/pricing_defi_tail_events_consolidated_2026-05-29.csv

test:
	$(GO) vet $(TAGS) ./...
	$(GO) test $(TAGS) -count=1 -artifacts ./...

# Crash safety: kill -9 at random points of 30 runs (seed logged; set
# HEISTSTAT_CHAOS_SEED to replay). The other crash tests run in make test.
chaos:
	HEISTSTAT_CHAOS=1 $(GO) test $(TAGS) -count=1 -run 'TestChaos' -v ./cmd/heiststat

# The tests that read the real snapshots in ../shared/data in place (they
# skip without it; CI has it, so make test runs them there too): the
# snapshot figures, the live-format feeds served over HTTP with their faults,
# replay from the archive, and the CLI acceptance runs.
.PHONY: acceptance
acceptance:
	@test -d ../shared/data || { echo "acceptance needs ../shared/data"; exit 1; }
	$(GO) test $(TAGS) -count=1 -v -run 'TestSnapshot|TestLive|TestCommunityFeeds|TestHTTPFeedsFaultsAndReplay|TestFetchOnly|TestCorruptArchiveIsSkipped|TestDemandDrivenPrices|TestFXFromECBDataAPIAndFRED|TestBundledFactsInSync' ./pipeline
	$(GO) test $(TAGS) -count=1 -v -run 'TestAcceptance' ./cmd/heiststat

# The benchmark harness (bench/): the real snapshot, synthetic 100x and 1000x
# inputs (cached under data/bench), the DuckDB-SQL reference and the pandas
# peer; prints the ratio table and writes bench/results.md.
bench: build bench-deps
	$(GO) build $(TAGS) -o bin/heistbench ./bench/heistbench
	bin/heistbench run

# The pandas peer needs Debian's python3-pandas (installed here when missing).
bench-deps:
	@/usr/bin/python3 -c 'import pandas' 2>/dev/null || \
	{ echo "make bench: installing python3-pandas (apt)"; \
	  { apt-get install -y python3-pandas || sudo apt-get install -y python3-pandas; } >/dev/null && \
	  /usr/bin/python3 -c 'import pandas'; } || \
	{ echo "make bench: the pandas peer needs Debian's python3-pandas: apt-get install python3-pandas" >&2; exit 1; }

# The Go benchmarks of the pipeline package.
bench-go:
	$(GO) test $(TAGS) -run '^$$' -bench . -benchtime 3x ./...

lint:
	$(GO) vet $(TAGS) ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Regenerate docs/SCHEMA.md from the COMMENT ON statements in sql/comments.
schema:
	$(GO) test $(TAGS) ./pipeline -run TestSchemaDocInSync -update -count=1

# Regenerate the bundled price and FX points from ../shared/data.
facts:
	$(GO) test $(TAGS) ./pipeline -run TestBundledFactsInSync -update -count=1

clean:
	rm -rf bin
