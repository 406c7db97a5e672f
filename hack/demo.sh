#!/usr/bin/env bash
# The local end-to-end demo of the README, on this machine alone (no Docker, no cluster to bring):
# a real control plane and a real node (kubelet, containerd, runc, CNI, kube-proxy), Consul with sample
# services backed by small HTTP servers, the operator's image (Dockerfile.jvm, built by buildah) installed
# with `kubectl apply -k deploy/base`, and a binding whose HAProxy pods serve through their Service.
# It prints curl lines to try, then shows a Consul change reaching the pods. Ctrl-C stops everything.
#
#   bash hack/demo.sh            # runs until Ctrl-C
#   bash hack/demo.sh --check    # sends the requests it prints, checks the answers, and exits
#
# HCO_DEMO_CLASSPATH: use this classpath (of an existing build) instead of building with Maven.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash hack/testenv.sh install
testenv_exports="$(bash hack/testenv.sh env)"
eval "$testenv_exports"

classpath="${HCO_DEMO_CLASSPATH:-}"
if [ -z "$classpath" ]; then
  echo "==> building the operator (./mvnw package -DskipTests) ..."
  ./mvnw -B -q package -DskipTests
  ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/demo.classpath
  classpath="target/test-classes:target/classes:$(cat target/demo.classpath)"
fi
exec java -cp "$classpath" io.haproxyconsul.operator.demo.LocalDemo "$@"
