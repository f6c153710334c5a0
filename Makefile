SWIFT    ?= swift
FUNCTION ?= echo
EVENT    ?= events/echo/hello.json
BIN       = .build/debug

.PHONY: deps build invoke test bench bench-events clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

# Invoke one function locally through the Runtime API emulator, with a sample event.
invoke: build
	$(BIN)/lambda-local invoke $(FUNCTION) $(EVENT)

# Every test: unit tests, and integration tests that run real bootstrap processes.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release
	.build/release/RuntimeBenchmark

# Event decoding throughput, beside Python's json module on the same files.
bench-events:
	$(SWIFT) build -c release --product EventsBenchmark
	.build/release/EventsBenchmark

clean:
	rm -rf .build
