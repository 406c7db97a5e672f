#!/usr/bin/env bash
# The whole benchmark suite in one command: rendering (JMH), haproxy -c of the largest configuration, propagation to
# a validated configuration side by side with consul-template at 10, 100, 1,000 and 5,000 services and 5,000 × 10,
# and propagation to a three-pod fleet (every pod serving) beside consul-template reloading a real HAProxy at 10,
# 100 and 1,000 services. Prints the tables that bench/README.md holds; under 20 minutes here. Needs root (the
# fleet runs on the real node). Hold the machine's build lock while it runs: it measures.
#   bash bench/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$(date +%s)
echo "## Rendering"
bash bench/render.sh
echo
echo "## haproxy -c"
bash bench/check.sh
echo
echo "## Propagation to a validated configuration"
bash bench/propagation.sh 10,100,1000,5000,5000x10 3
echo
echo "## Propagation to every pod of a fleet"
bash bench/fleet.sh 10,100,1000 2 2
echo
echo "The whole suite took $(( $(date +%s) - started )) s."
