# fkdoctor: PGXS build of the C++ extension.
EXTENSION = fkdoctor
MODULE_big = fkdoctor
DATA = $(wildcard fkdoctor--*.sql)
PGFILEDESC = "fkdoctor - find, explain and repair foreign-key orphans"

# src/core: plain C++ (catalog model, SQL generators, key sets), no server calls.
# src/server: the layer that talks to PostgreSQL (guard, SPI, catalogs, checks).
# src/functions: one file per SQL function, plus the module itself.
SOURCES = $(wildcard src/core/*.cpp src/server/*.cpp src/functions/*.cpp)
OBJS = $(SOURCES:.cpp=.o)

PG_CONFIG ?= pg_config

# PostgreSQL 18's kinds of key are tested on 18 and later only; the keys 18
# refuses (pre-upgrade checks) only before 18.
REGRESS_18 = pg18_not_enforced pg18_temporal
REGRESS_BEFORE_18 = pre18_collations
AT_LEAST_18 := $(shell [ "$$($(PG_CONFIG) --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')" -ge 18 ] && echo yes)
REGRESS = $(filter-out $(if $(AT_LEAST_18),$(REGRESS_BEFORE_18),$(REGRESS_18)),$(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=fkdoctor
PG_CPPFLAGS = -I$(srcdir)/src
PG_CXXFLAGS = -std=c++17 -Wno-register -fexceptions
SHLIB_LINK += -lstdc++

# PGXS would also compile every source to LLVM bitcode with clang, without
# PG_CXXFLAGS (so without C++17). JIT-inlining this module buys nothing: the
# work happens in the SQL it runs, so skip the bitcode step.
override with_llvm = no

# Rebuild objects when a header they include changes (the catalog model is
# shared by every source file; a stale object would disagree on its layout).
override autodepend = yes

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# --- test targets, each usable on its own -----------------------------------
# make installcheck   pg_regress (PGXS) against the server in PGHOST/PGPORT.
# make tapcheck       the TAP tests in test/t (they start their own servers
#                     with this PG_CONFIG's binaries; run as a user that may
#                     run initdb). PROVE_TESTS picks files, PROVE_FLAGS=-v.
# make unitcheck      builds and runs the GoogleTest tests of the pure core.

# Unit tests: test/unit/*.cpp and the pure C++ core, no server involved.
UNIT_SOURCES = $(wildcard src/core/*.cpp)
UNIT_TESTS = $(wildcard test/unit/*.cpp)
UNIT_BINARY = test/unit/fkdoctor_unit_tests
GTEST_FLAGS ?= --gtest_brief=1
EXTRA_CLEAN = $(UNIT_BINARY)

$(UNIT_BINARY): $(UNIT_TESTS) $(UNIT_SOURCES) $(wildcard src/core/*.hpp)
	$(CXX) -std=c++17 -Wall -I$(srcdir)/src -I$(includedir_server) \
		$(UNIT_TESTS) $(UNIT_SOURCES) -lgtest -lgtest_main -pthread -o $@

unitcheck: $(UNIT_BINARY)
	./$(UNIT_BINARY) $(GTEST_FLAGS)

# TAP tests through PGXS's prove_installcheck: prove with the installation's
# PostgreSQL::Test modules (-I .../lib/pgxs/src/test/perl), its bindir first
# in PATH and its pg_regress. A PostgreSQL configured without
# --enable-tap-tests (a distribution's may be) makes PGXS define it as a mere
# note that succeeds; then the same call is made here, as long as the Perl
# modules are installed (TESTDIR for 15's PostgreSQL::Test::Utils,
# TESTDATADIR and TESTLOGDIR for 16's and later).
PROVE_TESTS ?= test/t/*.pl
ifneq ($(enable_tap_tests),yes)
PROVE = prove
define prove_installcheck
test -f '$(top_srcdir)/src/test/perl/PostgreSQL/Test/Cluster.pm' || \
  { echo "no PostgreSQL::Test modules in $(top_srcdir)/src/test/perl" >&2; exit 1; } && \
rm -rf '$(CURDIR)'/tmp_check && \
$(MKDIR_P) '$(CURDIR)'/tmp_check && \
cd $(srcdir) && \
   TESTDIR='$(CURDIR)' TESTDATADIR='$(CURDIR)/tmp_check' TESTLOGDIR='$(CURDIR)/tmp_check/log' \
   PATH="$(bindir):$(CURDIR):$$PATH" \
   PG_REGRESS='$(top_builddir)/src/test/regress/pg_regress' \
   $(PROVE) $(PG_PROVE_FLAGS) $(PROVE_FLAGS) $(PROVE_TESTS)
endef
endif

tapcheck:
	$(prove_installcheck)

.PHONY: unitcheck tapcheck
