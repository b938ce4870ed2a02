#!/bin/sh
# Per-step overhead of a photometric sequence beyond settle delay and capture time: the real sequencer and file
# image store, a camera that returns a pre-encoded JPEG at once, virtual lights. Prints a markdown table.
#
#   bundles/photometric-sequencer/src/test/bench/run-bench.sh [--lights N] [--runs R] [--warmup W] \
#       [--width W --height H] [--settle MS] [--dir PATH]
#
# Needs camera-api and camera-core installed in the local Maven repository
# (mvn -B -q -f bundles/camera-core/pom.xml install -DskipTests). Builds only this module's test classes.
set -eu
module=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$module"
mvn -B -q -f pom.xml test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
    org.obscura.sequencer.internal.SequencerBench "$@"
