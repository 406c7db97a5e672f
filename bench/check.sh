#!/usr/bin/env bash
# haproxy -c of the operator's configuration for 5,000 services × 10 instances (the largest of the benchmarks),
# three runs: what the operator runs before publishing and each pod's init step before loading.
#   bash bench/check.sh              # 5000 × 10
#   bash bench/check.sh 1000 10
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash hack/testenv.sh install >/dev/null
eval "$(bash hack/testenv.sh env)"
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath
echo "| services × instances | haproxy.cfg | haproxy -c, three runs |"
echo "| --- | --- | --- |"
java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.haproxyconsul.operator.bench.CheckBenchmark "${1:-5000}" "${2:-10}"
