#!/usr/bin/env bash
# Runs the JMH benchmarks of bench/ (building target/benchmarks.jar when it is missing): EncodeBenchmark, or the
# benchmark class named first. Other arguments go to JMH, e.g.:
#   bench/run-jmh.sh -p format=YUYV -prof gc -rf csv -rff out.csv
#   bench/run-jmh.sh RawPathBenchmark -prof gc       a raw frame through camera-core's registry and hub to a viewer
#   bench/run-jmh.sh --build-only     only (re)build bench/target/benchmarks.jar
# The jar takes camera-api and camera-core from the local Maven repository: after changing them, install them
# first (mvn install -DskipTests from the root, or BENCH_INSTALL_CORE=1 to have this script install just those).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
if [ "${1:-}" = "--build-only" ] || [ ! -f "$here/target/benchmarks.jar" ]; then
  if [ -n "${BENCH_INSTALL_CORE:-}" ]; then
    mvn -B -q -f "$root/bundles/camera-api/pom.xml" install -DskipTests
    mvn -B -q -f "$root/bundles/camera-core/pom.xml" install -DskipTests
  fi
  mvn -B -q -f "$here/pom.xml" package
fi
[ "${1:-}" = "--build-only" ] && exit 0
benchmark=EncodeBenchmark
case "${1:-}" in
  *Benchmark) benchmark=$1; shift ;;
esac
exec java -jar "$here/target/benchmarks.jar" "\.$benchmark\." "$@"
