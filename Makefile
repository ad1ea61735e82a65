# Entry points: `make demo` builds in release mode and walks through the
# product on the example data; `make test` runs every test.
SWIFT ?= swift
RELEASE_BIN = .build/release/crm

.PHONY: deps build release demo test bench clean docs plugins soak fuzz

deps:
	@sh scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

demo: release
	@sh scripts/demo.sh $(RELEASE_BIN)

# Every test is XCTest; Swift Testing is off so the run ends on XCTest's summary.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

# Measures the product beside raw SQLite and raw Lua and writes
# docs/benchmarks.md (about 15 minutes on 2 cores). `make bench QUICK=1`
# runs reduced sizes and writes no record. BENCH_SCRATCH is the build folder.
BENCH_SCRATCH ?= .build

bench: deps
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH)
	python3 bench/run.py --bin $(BENCH_SCRATCH)/release --swift $(SWIFT) \
		$(if $(QUICK),--quick,--output docs/benchmarks.md)

# The long crash and concurrency runs: 300 kill points, 10 rounds of load.
soak: deps
	$(SWIFT) build --build-tests
	CRM_KILL_POINTS=300 CRM_CONCURRENCY_ROUNDS=10 $(SWIFT) test --skip-build --filter 'CrashTests|ConcurrencyTests'

# Runs each libFuzzer target for FUZZ_RUNS executions (see scripts/fuzz.sh).
fuzz: deps
	@sh scripts/fuzz.sh

# Regenerates the files derived from plugins/ and the hook catalogue.
plugins:
	sh scripts/embed-plugins.sh

docs: build
	.build/debug/crm plugin docs > docs/plugins.md

clean:
	rm -rf .build
