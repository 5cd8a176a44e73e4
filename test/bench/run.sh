#!/usr/bin/env bash
# Benchmarks on a throwaway cluster: fkdoctor against the queries users would
# otherwise write. Run as root on Debian 12: installs what it needs, builds,
# starts a cluster on a free port, runs bench.sh, stops the cluster. Usage:
#   test/bench/run.sh [--pg 15|18|18-cassert] [--scale small|default|large] [--runs N]
#   test/bench/run.sh --citus [--scale small|default] [--runs N]
# (default: 15, default, 3; 18 is built from vendor/ once and cached, and
# 18-cassert's times measure assertions, not fkdoctor). --citus runs only
# the Citus case (citus.sh): Citus is built once and cached
# (lib/build-citus.sh; PostgreSQL 15 to 17), and a Citus cluster (a
# coordinator and two workers on 127.0.0.1, citus.shard_count 8) is
# started beside the one server and stopped at the end.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
pg=15
citus=0
args=()
while [ $# -gt 0 ]; do
    case $1 in
        --citus) citus=1; shift ;;
        --pg) pg=${2:?--pg needs 15, 18 or 18-cassert}; shift 2 ;;
        --pg=*) pg=${1#--pg=}; shift ;;
        *) args+=("$1"); shift ;;
    esac
done
install_packages
use_pg "$pg"
build_and_install
start_cluster
if [ "$citus" = 0 ]; then
    bash "$REPO/test/bench/bench.sh" "${args[@]}"
    exit
fi
bash "$REPO/test/lib/build-citus.sh" "$PG_CONFIG" "$TEST_PG_CONFIG"
CITUS_CONF="citus.shard_count = 8" start_citus_cluster
CITUS_HOST=$CITUS_HOST CITUS_PORT=${CITUS_PORTS[0]} bash "$REPO/test/bench/citus.sh" "${args[@]}"
