# places-fcgi - GNU make.
#
#   make            build cgi/places.fcgi
#   make run        install what is missing, build, start the local stack
#   make stop       stop it
#   make check      the unit tests alone: only the build dependencies (no
#                   apt, no npm, no services), seconds
#   make test       every test (tests/run.sh): unit, integration, the
#                   suite again under ASan/UBSan and under valgrind, fuzz
#                   smoke runs, fault injection; TESTS="unit integration"
#                   picks some
#   make e2e        the browser test alone: examples/nextjs and the worker
#                   behind one nginx, in Debian's chromium (tests/e2e)
#   make fuzz       each fuzz harness for FUZZ_SECONDS (default 180)
#   make bench      tools/bench.sh: the worker against nginx's and
#                   PostgreSQL's ceilings at 10 k and 1 M places
#                   (BENCH_SCALES; docs/PERFORMANCE.md)
#   make bench-shed tests/bench/shed.sh: nginx's shedding of requests
#                   without credentials, and a flood of them
#                   (docs/PERFORMANCE.md, docs/RELIABILITY.md)
#   make asan       the sanitizer build in build-asan/
#   make install    PREFIX (default /usr/local) and DESTDIR honoured
#
# Local overrides (CC, CFLAGS, ...) go in Makefile.local.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SHAREDIR ?= $(PREFIX)/share/places-fcgi
MANDIR	?= $(PREFIX)/share/man
CC	?= cc
CFLAGS	?= -O2 -g
BUILD	?= build

-include Makefile.local

PKGS	 = libpq json-c libsodium libcrypto
# Recursive (=) on purpose: pkg-config runs when a recipe needs it, which is
# after `make test` / `make run` have installed the -dev packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
WARN	 = -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
	   -Wwrite-strings -Wformat=2 -Wshadow
ALL_CFLAGS = -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	   -Ilib $(WARN) $(PKG_CFLAGS) $(CFLAGS)
# libfcgi ships no .pc file.
LDLIBS	 = -lfcgi $(PKG_LIBS)

LIB_SRC	 = $(wildcard lib/*.c)
LIB_OBJ	 = $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB_A	 = $(BUILD)/libplaces.a
WORKER	 = cgi/places.fcgi
CTL	 = tools/placesctl
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
MANPAGES = docs/man/places.fcgi.8 docs/man/placesctl.8

.PHONY: all deps unit check compat openapi e2e-deps e2e asan test fuzz bench bench-shed run stop \
	install uninstall \
	clean FORCE

all: $(WORKER) $(CTL)

$(BUILD)/%.o: %.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(WORKER): $(BUILD)/cgi/places.o $(LIB_A)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(CTL): $(BUILD)/tools/placesctl.o $(LIB_A)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# placesctl migrate's default SQLDIR is the installed one.  The stamp holds
# the value, so a different SHAREDIR (make install PREFIX=/usr) rebuilds it.
$(BUILD)/tools/placesctl.o: ALL_CFLAGS += -DPLACES_SQLDIR='"$(SHAREDIR)/sql"'
$(BUILD)/tools/placesctl.o: $(BUILD)/sqldir.stamp
$(BUILD)/sqldir.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(SHAREDIR)/sql' | cmp -s - $@ || echo '$(SHAREDIR)/sql' >$@

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(wildcard tests/unit/*_vectors.h) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -DPLACES_SRCDIR='"$(CURDIR)"' -o $@ $< \
	    $(LIB_A) $(LDFLAGS) $(UNIT_LDFLAGS) $(LDLIBS)

# Link options of a unit test's own.  test_response: the library's
# realloc() calls go to the test's __wrap_realloc, which fails on demand.
$(BUILD)/tests/test_response: UNIT_LDFLAGS = -Wl,--wrap=realloc

unit: $(UNIT_BIN)

# Needs nothing make deps installs beyond the build's own libraries.
check: all unit
	TESTS=unit tests/run.sh

# The real next-auth packages and adapters the suite compares the worker
# with, exactly as package-lock.json pins them, and the Prisma clients of
# tests/compat/prisma/*.prisma (generated offline: prisma generate needs
# PRISMA_SCHEMA_ENGINE_BINARY to name a file, never runs it; see
# tests/compat/ADAPTERS.md).
COMPAT	 = tests/compat/node_modules/.package-lock.json
$(COMPAT): tests/compat/package.json tests/compat/package-lock.json
	cd tests/compat && npm ci --no-audit --no-fund --loglevel=error
PRISMA_SCHEMAS = $(wildcard tests/compat/prisma/*.prisma)
PRISMA_CLIENTS = $(patsubst tests/compat/prisma/%.prisma,tests/compat/generated/%/index.js,$(PRISMA_SCHEMAS))
tests/compat/generated/%/index.js: tests/compat/prisma/%.prisma $(COMPAT)
	cd tests/compat && CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1 \
		PRISMA_SCHEMA_ENGINE_BINARY=$$PWD/prisma/no-schema-engine \
		npx --no-install prisma generate --schema prisma/$*.prisma >/dev/null
compat: $(COMPAT) $(PRISMA_CLIENTS) $(BUILD)/tests/jwtcheck

# The worker's JWT decoding as a filter, for tests/compat/claims.mjs.
$(BUILD)/tests/jwtcheck: tests/compat/jwtcheck.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_A) $(LDFLAGS) $(LDLIBS)

# The OpenAPI 3.1 validator and YAML parser that check docs/openapi.yaml
# (tests/integration/cases/zz-openapi.sh), as package-lock.json pins them.
OPENAPI	 = tests/openapi/node_modules/.package-lock.json
$(OPENAPI): tests/openapi/package.json tests/openapi/package-lock.json
	cd tests/openapi && npm ci --no-audit --no-fund --loglevel=error
openapi: $(OPENAPI)

# The Next.js example and the browser test's drivers (puppeteer-core, an
# SMTP sink), exactly as their package-lock.json files pin them.  No
# browser is downloaded: the test drives Debian's chromium.
E2E_APP	 = examples/nextjs/node_modules/.package-lock.json
$(E2E_APP): examples/nextjs/package.json examples/nextjs/package-lock.json
	cd examples/nextjs && npm ci --no-audit --no-fund --loglevel=error
E2E_DRV	 = tests/e2e/node_modules/.package-lock.json
$(E2E_DRV): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
e2e-deps: $(E2E_APP) $(E2E_DRV)

e2e: deps
	$(MAKE) all e2e-deps
	TESTS=e2e tests/run.sh

# The sanitizer build: worker, placesctl and unit tests with AddressSanitizer
# and UBSan, no recovery (any report is fatal), in a tree of its own.
SAN	 = -fsanitize=address,undefined -fno-sanitize-recover=all
asan:
	$(MAKE) BUILD=build-asan CC=clang \
	    CFLAGS="-O1 -g -fno-omit-frame-pointer $(SAN)" LDFLAGS="$(SAN)" \
	    WORKER=build-asan/places.fcgi CTL=build-asan/placesctl all unit

# Debian packages the build, the stack and the tests need.
deps:
	tools/deps.sh

test: deps
	$(MAKE) all unit compat openapi e2e-deps $(BUILD)/tests/print-sql
	$(MAKE) asan
	tests/run.sh

FUZZ_SECONDS ?= 180
fuzz: deps
	tests/fuzz/run.sh $(FUZZ_SECONDS)

# Not part of make test: load on a shared machine is neither quick nor
# repeatable enough to fail a build (the callgrind guard in make test is).
BENCH_SECONDS ?= 10
bench: deps
	$(MAKE) all $(BUILD)/tests/print-sql
	tools/bench.sh $(BENCH_SECONDS)

# nginx's shedding of requests without credentials: the no-token 401
# with and without it against the HTTP ceiling, and authenticated GETs
# under a flood of such requests (tests/bench/shed.sh), so many seconds a run.
BENCH_SHED_SECONDS ?= 5
bench-shed: deps
	$(MAKE) all
	tests/bench/shed.sh $(BENCH_SHED_SECONDS)

# The statement table as the worker builds it, for tools/bench.sh's SQL check
# and the plans suite (tests/plans).
$(BUILD)/tests/print-sql: tests/bench/print-sql.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_A) $(LDFLAGS) $(LDLIBS)

run: deps
	$(MAKE) all
	tools/run.sh start

stop:
	tools/run.sh stop

# placesctl migrate (no --dir) reads $(SHAREDIR)/sql; demo.sql goes along
# but is no migration.  The man pages go to $(MANDIR)/man8.
install: $(WORKER) $(CTL)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/sql
	install -m 0755 $(WORKER) $(DESTDIR)$(BINDIR)/places.fcgi
	install -m 0755 $(CTL) $(DESTDIR)$(BINDIR)/placesctl
	install -m 0644 sql/*.sql $(DESTDIR)$(SHAREDIR)/sql/
	install -m 0644 nginx.conf.example $(DESTDIR)$(SHAREDIR)/
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man8/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/places.fcgi $(DESTDIR)$(BINDIR)/placesctl
	rm -rf $(DESTDIR)$(SHAREDIR)
	rm -f $(MANPAGES:docs/man/%=$(DESTDIR)$(MANDIR)/man8/%)

clean:
	rm -rf $(BUILD) build-asan build-fuzz $(WORKER) $(CTL) examples/nextjs/.next
