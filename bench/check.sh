#!/usr/bin/env bash
# haproxy -c of the operator's configuration for 5,000 services × 10 instances (the largest of the benchmarks):
# the whole configuration, as each pod's init step checks it, and the check copy the operator checks (one server
# line of each kind per backend). Time and peak memory (/usr/bin/time, Debian package time), three runs each.
# Prints a Markdown table.
#   bash bench/check.sh              # 5000 × 10
#   bash bench/check.sh 1000 10
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash hack/testenv.sh install >/dev/null
eval "$(bash hack/testenv.sh env)"
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath
java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.haproxyconsul.operator.bench.CheckBenchmark "${1:-5000}" "${2:-10}"
