#!/usr/bin/env bash
# Benchmarks on a throwaway cluster: fkdoctor against the queries users would
# otherwise write. Run as root on Debian 12: installs what it needs, builds,
# starts a cluster on a free port, runs bench.sh, stops the cluster. Usage:
#   test/bench/run.sh [--scale small|default|large] [--runs N]   (default: default, 3)
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
install_packages
build_and_install
start_cluster
bash "$REPO/test/bench/bench.sh" "$@"
