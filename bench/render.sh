#!/usr/bin/env bash
# JMH benchmark of rendering (routing model + built-in template) for catalogs of 10 to 5,000 services with 1 and
# 10 instances each, each render after a change of one service or of every instance: time per render (sampled;
# p50 is the median) and bytes allocated per render (-prof gc). Prints a Markdown table.
#   bash bench/render.sh                       # the whole matrix, about 2 minutes here
#   bash bench/render.sh -p services=1000      # any JMH option
# Results: target/render-benchmark.json
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath
classpath="target/test-classes:target/classes:$(cat target/bench.classpath)"
java -cp "$classpath" org.openjdk.jmh.Main RenderBenchmark -prof gc -rf json -rff target/render-benchmark.json \
  "$@" >/dev/null
java -cp "$classpath" io.haproxyconsul.operator.bench.RenderTable target/render-benchmark.json
