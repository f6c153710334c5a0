SWIFT    ?= swift
FUNCTION ?= echo
EVENT    ?= events/echo.json
BIN       = .build/debug

.PHONY: deps build invoke test bench clean

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

clean:
	rm -rf .build
