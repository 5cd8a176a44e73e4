#!/usr/bin/env bash
# Benchmarks on a throwaway cluster: fkdoctor against the queries users would
# otherwise write. Run as root on Debian 12. Usage:
#   test/bench/run.sh [small|default|large] [runs]     (default: default 3)
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
install_packages
build_and_install
start_cluster
bash "$REPO/test/bench/bench.sh" "${1:-default}" "${2:-3}"
