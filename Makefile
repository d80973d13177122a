# The two commands of the README:
#   make run   build, create ./nks-data with a demo population, show it working
#   make test  build and run every test (and, when FUZZ_SECONDS is set, each
#              fuzzer of fuzz/ for that many seconds)
#   make fuzz  build the fuzzers with clang in build-fuzz/ and run each for
#              FUZZ_SECONDS seconds (default 10)
# Each installs the Debian packages it needs when they are missing.

BUILD ?= build
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DNKS_WERROR=ON
endif
JOBS ?= $(shell nproc)
DATA ?= nks-data
DEMO_PERSONS ?= 10000
DEMO_COMPANIES ?= 500
FUZZ_SECONDS ?=

.PHONY: all deps build run test bench bench-payments fuzz clean

all: build

deps:
	@scripts/deps.sh build

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@scripts/demo.sh $(BUILD)/nks $(DATA) $(DEMO_PERSONS) $(DEMO_COMPANIES)

test: build
	@scripts/deps.sh test
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@if [ -n "$(FUZZ_SECONDS)" ]; then scripts/fuzz.sh $(FUZZ_SECONDS); fi

bench: build
	@scripts/deps.sh bench
	@scripts/bench.sh $(BUILD)

bench-payments: build
	@scripts/deps.sh bench
	@scripts/bench_payments.sh $(BUILD)

fuzz:
	@scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)
