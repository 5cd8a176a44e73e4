#!/usr/bin/env bash
# Benchmarks on a throwaway cluster: fkdoctor against the queries users would
# otherwise write. Run as root on Debian 12: installs what it needs, builds,
# starts a cluster on a free port, runs bench.sh, stops the cluster. Usage:
#   test/bench/run.sh [--pg 15|18|18-cassert] [--scale small|default|large] [--runs N]
# (default: 15, default, 3; 18 is built from vendor/ once and cached, and
# 18-cassert's times measure assertions, not fkdoctor).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
pg=15
args=()
while [ $# -gt 0 ]; do
    case $1 in
        --pg) pg=${2:?--pg needs 15, 18 or 18-cassert}; shift 2 ;;
        --pg=*) pg=${1#--pg=}; shift ;;
        *) args+=("$1"); shift ;;
    esac
done
install_packages
use_pg "$pg"
build_and_install
start_cluster
bash "$REPO/test/bench/bench.sh" "${args[@]}"
