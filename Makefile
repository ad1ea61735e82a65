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
