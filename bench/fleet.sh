#!/usr/bin/env bash
# Consul write → every pod of a three-pod fleet serving the change (asked over HTTP at each pod's IP), for server
# changes (live through the Runtime API) and structural ones (a rolling update), beside consul-template doing the
# seed's whole path (render, haproxy -c, soft reload of a real HAProxy, serving) on the same Consul, same run.
# Needs the real node (root). Prints a Markdown table.
#   bash bench/fleet.sh                 # 10, 100 and 1,000 services; 2 measured rounds of 4 server changes, 2 structural
#   bash bench/fleet.sh 100 3 1
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash hack/testenv.sh install >/dev/null
eval "$(bash hack/testenv.sh env)"
./mvnw -B -q package -DskipTests
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.haproxyconsul.operator.bench.FleetPropagationBenchmark "${1:-10,100,1000}" "${2:-2}" "${3:-2}"
