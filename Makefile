# All Go commands build with the duckdb_arrow tag and cgo (DuckDB is linked in).
GO      ?= go
TAGS    := -tags duckdb_arrow
export CGO_ENABLED := 1
BIN     := bin/heiststat
CONFIG  ?= configs/default.yaml

.PHONY: build run snapshot test bench bench-go bench-deps lint schema facts clean

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

test:
	$(GO) vet $(TAGS) ./...
	$(GO) test $(TAGS) -count=1 ./...

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
