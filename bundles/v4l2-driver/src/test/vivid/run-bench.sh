#!/bin/bash
# Runs the V4L2 driver benchmark (src/test/java/.../V4l2Bench.java) inside the vivid QEMU guest that
# run-in-vivid.sh boots: snapshot latency from an idle camera against v4l2-ctl plus JPEG conversion, and
# streaming CPU per frame at 640x480 YUYV. Not part of the build; results go to docs/benchmarks.md by hand.
#
# Usage: bundles/v4l2-driver/src/test/vivid/run-bench.sh [SNAPSHOTS [STREAM_SECONDS]]   (default 15 20)
# Needs what run-in-vivid.sh needs, plus Maven (to compile and to build the class path) and v4l-utils
# (v4l2-ctl, the method compared against). camera-api and camera-core must be in the local Maven repository
# (mvn -B -q -pl bundles/camera-api,bundles/camera-core install -DskipTests).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
module=$(cd "$here/../../.." && pwd)
root=$(cd "$module/../.." && pwd)
command -v v4l2-ctl > /dev/null || { echo "run-bench: v4l2-ctl not found (apt-get install v4l-utils)" >&2; exit 3; }

cd "$root"
mvn -B -q -pl bundles/v4l2-driver test-compile dependency:build-classpath \
    -Dmdep.outputFile="$module/target/bench.classpath" -Dmdep.includeScope=test
cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench.classpath")"
exec bash "$here/run-in-vivid.sh" -j "$module/target/vivid-bench" -t 580 -- \
    java -Djava.awt.headless=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
    org.obscura.driver.v4l2.internal.V4l2Bench "$@"
