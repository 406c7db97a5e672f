#!/usr/bin/env bash
# Propagation from a Consul write to a validated configuration: the operator (published ConfigMap) side by side
# with consul-template (the seed's template rendered, then haproxy -c), on the same Consul, in the same run, with
# no debounce on either. Each round makes five changes: register an instance, fail its check, pass it again,
# deregister it, change a KV value. Prints a Markdown table (latency, CPU, peak RSS, requests, connections).
#   bash bench/propagation.sh                  # 10, 100 and 1,000 services, 5 rounds each
#   bash bench/propagation.sh 10,100,1000,5000 10
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash hack/testenv.sh install >/dev/null
testenv_exports="$(bash hack/testenv.sh env)"
eval "$testenv_exports"
./mvnw -B -q package -DskipTests
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.haproxyconsul.operator.bench.PropagationBenchmark "${1:-10,100,1000}" "${2:-5}"
