# penholder — build, test, run, benchmark.
#   make          release build: build/penholder
#   make test     every test, built with AddressSanitizer + UBSan
#   make run      build, initialise var/penholder.db with reference and demo data, start
#   make bench    benchmarks (figures in bench/README.md)
#   make eval     screening quality figures
#   make fuzz     run each libFuzzer target for FUZZ_SECONDS (clang)
#   make format   clang-format the sources

PKGS := sqlite3 jansson libsodium libutf8proc icu-uc icu-i18n expat libmicrohttpd libpq libcurl cmocka

# On a fresh machine, fetch what is missing before anything reads pkg-config.
ifneq ($(MAKECMDGOALS),format)
ifneq ($(shell pkg-config --exists $(PKGS) 2>/dev/null && echo ok),ok)
$(info penholder: some libraries are missing; running scripts/install-deps)
DEPS_STATUS := $(shell scripts/install-deps 1>&2; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error scripts/install-deps failed; install the packages it names and run make again)
endif
endif
endif

CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(filter-out cmocka,$(PKGS)))
CMOCKA_LIBS := $(shell pkg-config --libs cmocka)

WARN := -Wall -Wextra -Werror -Wshadow -Wvla -Wformat=2 -Wno-format-nonliteral
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE -Isrc -Ibuild/gen $(WARN) $(PKG_CFLAGS) -MMD -MP
RELEASE_CFLAGS := $(BASE_CFLAGS) -O2 -g
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TEST_CFLAGS := $(BASE_CFLAGS) -O1 -g $(SAN_FLAGS)
LDLIBS := $(PKG_LIBS) -lm -lpthread

# Every .c under src/ is part of the library except the program's entry point.
LIB_SRC := $(sort $(filter-out src/cli/main.c,$(wildcard src/*/*.c)))
EMBED_FILES := $(sort $(wildcard src/store/sql/*.sql data/*.csv data/*.json data/policy/*.policy data/demo/*.json docs/openapi.yaml))
GEN_EMBED := build/gen/embedded.c

REL_OBJ := $(patsubst src/%.c,build/obj/%.o,$(LIB_SRC)) build/obj/gen/embedded.o
SAN_OBJ := $(patsubst src/%.c,build/san/%.o,$(LIB_SRC)) build/san/gen/embedded.o

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,build/san/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
REPLAY_BIN := $(patsubst tests/fuzz/%.c,build/san/replay/%,$(FUZZ_SRC))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60

.PHONY: all test unit run bench eval fuzz format check-format clean web-assets
all: build/penholder

# ---- generated sources ----
build/embed: scripts/embed.c
	@mkdir -p $(@D)
	$(CC) -O1 -o $@ $<

$(GEN_EMBED): build/embed $(EMBED_FILES)
	@mkdir -p $(@D)
	@build/embed $@ $(EMBED_FILES)

# ---- release ----
build/obj/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(RELEASE_CFLAGS) -c -o $@ $<

build/obj/gen/embedded.o: $(GEN_EMBED)
	@mkdir -p $(@D)
	@$(CC) $(RELEASE_CFLAGS) -c -o $@ $<

build/libpenholder.a: $(REL_OBJ)
	@rm -f $@
	@ar rcs $@ $^

build/penholder: src/cli/main.c build/libpenholder.a
	@echo "  LINK    $@"
	@$(CC) $(RELEASE_CFLAGS) -o $@ $< build/libpenholder.a $(LDLIBS)

# ---- sanitizer build (tests) ----
build/san/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "  CC san  $<"
	@$(CC) $(TEST_CFLAGS) -c -o $@ $<

build/san/gen/embedded.o: $(GEN_EMBED)
	@mkdir -p $(@D)
	@$(CC) $(TEST_CFLAGS) -c -o $@ $<

build/san/libpenholder.a: $(SAN_OBJ)
	@rm -f $@
	@ar rcs $@ $^

build/san/penholder: src/cli/main.c build/san/libpenholder.a
	@echo "  LINK    $@"
	@$(CC) $(TEST_CFLAGS) -o $@ $< build/san/libpenholder.a $(LDLIBS)

build/san/tests/%: tests/unit/%.c build/san/libpenholder.a
	@mkdir -p $(@D)
	@echo "  LINK    $@"
	@$(CC) $(TEST_CFLAGS) -Itests/unit -o $@ $< build/san/libpenholder.a $(LDLIBS) $(CMOCKA_LIBS)

# Fuzz targets replayed over their corpus with a plain driver (no clang needed).
build/san/replay/%: tests/fuzz/%.c tests/fuzz/replay_main.c build/san/libpenholder.a
	@mkdir -p $(@D)
	@echo "  LINK    $@"
	@$(CC) $(TEST_CFLAGS) -o $@ $< tests/fuzz/replay_main.c build/san/libpenholder.a $(LDLIBS)

test: build/san/penholder build/penholder $(UNIT_BIN) $(REPLAY_BIN) web-assets
	@tests/run-all.sh

# ---- libFuzzer ----
FUZZ_CFLAGS := -std=c17 -D_GNU_SOURCE -Isrc -Ibuild/gen $(PKG_CFLAGS) -g -O1 \
	-fsanitize=fuzzer,address,undefined
build/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(GEN_EMBED)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRC) $(GEN_EMBED) $(LDLIBS)

# New inputs go to build/fuzz-corpus/NAME; the committed seeds in
# tests/fuzz/corpus/NAME are read. Add a crash input to the seeds by hand.
fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
	  name=$$(basename $$f); seeds=tests/fuzz/corpus/$$name; work=build/fuzz-corpus/$$name; \
	  mkdir -p $$seeds $$work; \
	  echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -artifact_prefix=build/fuzz/$$name- \
	      $$work $$seeds || exit 1; \
	done

# ---- browser interface assets (GOV.UK Frontend, pinned in web/package-lock.json) ----
web-assets:
	@scripts/web-assets.sh

# ---- run, bench, eval ----
run: build/penholder web-assets
	@scripts/run.sh

bench: build/penholder
	@bench/run.sh

eval: build/penholder
	@scripts/eval.sh

# ---- style ----
FORMAT_SRC = $(wildcard src/*/*.c src/*/*.h tests/unit/*.c tests/fuzz/*.c bench/*.c scripts/*.c)
format:
	clang-format -i $(FORMAT_SRC)
check-format:
	clang-format --dry-run --Werror $(FORMAT_SRC)

clean:
	rm -rf build

-include $(wildcard build/obj/*/*.d build/san/*/*.d build/san/tests/*.d)
