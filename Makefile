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

# Every test: unit tests, and integration tests that run real bootstrap processes. The AWS
# integration tests talk to moto_server on loopback, started and stopped by with-moto.sh
# (or to the endpoint AWS_ENDPOINT_URL names, when it is set).
test: deps
	$(SWIFT) build --build-tests
	scripts/with-moto.sh $(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release
	.build/release/RuntimeBenchmark

# Event decoding throughput, beside Python's json module on the same files.
bench-events:
	$(SWIFT) build -c release --product EventsBenchmark
	.build/release/EventsBenchmark

clean:
	rm -rf .build
