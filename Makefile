# Entry points: `make demo` builds in release mode and walks through the
# product on the example data; `make test` runs every test.
SWIFT ?= swift
RELEASE_BIN = .build/release/crm

.PHONY: deps build release demo test bench clean docs plugins

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

# Regenerates the files derived from plugins/ and the hook catalogue.
plugins:
	sh scripts/embed-plugins.sh

docs: build
	.build/debug/crm plugin docs > docs/plugins.md

clean:
	rm -rf .build
