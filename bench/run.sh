#!/usr/bin/env bash
# The whole benchmark suite in one command: rendering (JMH), haproxy -c of the largest configuration, and
# propagation side by side with consul-template at 10, 100, 1,000 and 5,000 services and 5,000 × 10.
# Prints the tables that bench/README.md holds; about 10 minutes here.
#   bash bench/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$(date +%s)
echo "## Rendering"
bash bench/render.sh >/dev/null
awk '/render:p0.50|render:p0.95|gc.alloc.rate.norm/' target/render-benchmark.txt
echo
echo "## haproxy -c"
bash bench/check.sh
echo
echo "## Propagation"
bash bench/propagation.sh 10,100,1000,5000,5000x10 3
echo
echo "The whole suite took $(( $(date +%s) - started )) s."
