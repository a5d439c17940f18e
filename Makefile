# places-fcgi - GNU make.
#
#   make            build cgi/places.fcgi
#   make run        install what is missing, build, start the local stack
#   make stop       stop it
#   make test       unit and integration tests on a throwaway stack
#   make install    PREFIX (default /usr/local) and DESTDIR honoured
#
# Local overrides (CC, CFLAGS, ...) go in Makefile.local.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SHAREDIR ?= $(PREFIX)/share/places-fcgi
CC	?= cc
CFLAGS	?= -O2 -g
BUILD	?= build

-include Makefile.local

PKGS	 = libpq json-c libsodium
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

.PHONY: all deps unit test run stop install uninstall clean

all: $(WORKER) $(CTL)

$(BUILD)/%.o: %.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(WORKER): $(BUILD)/cgi/places.o $(LIB_A)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(CTL): $(BUILD)/tools/placesctl.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_A) $(LDFLAGS) $(LDLIBS)

unit: $(UNIT_BIN)

# Debian packages the build, the stack and the tests need.
deps:
	tools/deps.sh

test: deps
	$(MAKE) all unit
	tests/run.sh

run: deps
	$(MAKE) all
	tools/run.sh start

stop:
	tools/run.sh stop

install: $(WORKER) $(CTL) $(CTL)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/sql
	install -m 0755 $(WORKER) $(DESTDIR)$(BINDIR)/places.fcgi
	install -m 0755 $(CTL) $(DESTDIR)$(BINDIR)/placesctl
	install -m 0644 sql/*.sql $(DESTDIR)$(SHAREDIR)/sql/
	install -m 0755 tools/migrate.sh $(DESTDIR)$(SHAREDIR)/migrate.sh
	install -m 0644 nginx.conf.example $(DESTDIR)$(SHAREDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/places.fcgi $(DESTDIR)$(BINDIR)/placesctl
	rm -rf $(DESTDIR)$(SHAREDIR)

clean:
	rm -rf $(BUILD) $(WORKER) $(CTL)
