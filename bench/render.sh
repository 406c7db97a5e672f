#!/usr/bin/env bash
# JMH benchmark of rendering (routing model + built-in template) for catalogs of 10 to 5,000 services with 1 and
# 10 instances each: time per render (sampled; p50 is the median) and bytes allocated per render (-prof gc).
#   bash bench/render.sh                       # the whole matrix, about 3 minutes here
#   bash bench/render.sh -p services=1000      # any JMH option
# Results: target/render-benchmark.txt
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath
java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.openjdk.jmh.Main RenderBenchmark \
  -prof gc -rf text -rff target/render-benchmark.txt "$@"
