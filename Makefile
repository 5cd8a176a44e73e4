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
