# bugsweep - the two commands of the quick start, and the developer targets.
#
#   make demo    install build dependencies, build, scan the bundled mailbox
#   make accuracy  score scan against the labelled corpus in ../shared
#   make test    install, build with ASan+UBSan, run every test; then the
#                unit and golden suites under valgrind in build/
#
# Build directories: build/ (debugoptimized, for demo), build-asan/ (the
# test build), build-release/ (benchmarks), build-fuzz/ (clang libFuzzer).

MESON ?= meson
SHARED ?= $(abspath ../shared)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60

.PHONY: all deps demo test conformance accuracy bench-html fuzz format check-format clean

all: build/build.ninja
	$(MESON) compile -C build

deps:
	@tools/install-deps

build/build.ninja: | deps
	$(MESON) setup build -Dshared_dir=$(SHARED)

build-asan/build.ninja: | deps
	$(MESON) setup build-asan -Dshared_dir=$(SHARED) \
		-Db_sanitize=address,undefined -Db_lundef=false

build-release/build.ninja: | deps
	$(MESON) setup build-release -Dshared_dir=$(SHARED) \
		--buildtype=release -Db_ndebug=true -Dtests=true

build-fuzz/build.ninja: | deps
	CC=clang $(MESON) setup build-fuzz -Dshared_dir=$(SHARED) -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false -Dtests=false

demo: deps build/build.ninja
	$(MESON) compile -C build
	@echo
	@echo '$$ bugsweep scan examples/Maildir'
	@./build/src/cli/bugsweep scan examples/Maildir; \
	  rc=$$?; [ $$rc -le 1 ] || exit $$rc

accuracy: deps build/build.ninja
	$(MESON) compile -C build
	tools/accuracy ./build/src/cli/bugsweep $(SHARED) --floor tests/corpus/accuracy.floor

# Every test in the ASan+UBSan build, then the unit and golden suites of
# the plain build under valgrind memcheck (BUGSWEEP_VALGRIND shrinks the
# heavy ones); one summary line for both.
test: deps build-asan/build.ninja build/build.ninja
	$(MESON) compile -C build-asan
	$(MESON) compile -C build
	tools/run-tests build-asan ::: build --setup valgrind --suite unit --suite golden

conformance: deps build/build.ninja
	$(MESON) compile -C build
	@tools/run-tests build --suite conformance

bench-html: deps build-release/build.ninja
	$(MESON) compile -C build-release
	./build-release/bench/bench-html $(SHARED)

fuzz: deps build-fuzz/build.ninja
	$(MESON) compile -C build-fuzz
	tools/run-fuzz build-fuzz $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h' | grep -v -e '/tags\.[ch]$$' -e '/entities\.c$$')

check-format:
	tools/checksrc

clean:
	rm -rf build build-asan build-release build-fuzz

.PHONY: bench-clean bench-scan
bench-clean: deps build-release/build.ninja
	$(MESON) compile -C build-release
	./build-release/bench/bench-clean $(SHARED) examples/Maildir

# scan, one thread and two, next to GMime parse+decode of the same mail.
bench-scan: deps build-release/build.ninja
	$(MESON) compile -C build-release
	./build-release/bench/bench-scan $(SHARED) examples/Maildir
