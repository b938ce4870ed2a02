#!/bin/bash
# Runs the V4L2 driver benchmark (src/test/java/.../V4l2Bench.java) inside the vivid QEMU guest that
# run-in-vivid.sh boots: snapshot latency from an idle camera against v4l2-ctl plus JPEG conversion, and
# streaming CPU per frame at 640x480 YUYV. Not part of the build; results go to docs/benchmarks.md by hand.
#
# Usage: bundles/v4l2-driver/src/test/vivid/run-bench.sh [SNAPSHOTS [STREAM_SECONDS]]   (default 30 20;
#        STREAM_SECONDS 0 skips the streaming part)
# Needs what run-in-vivid.sh needs, plus Maven (to compile and to build the class path), v4l-utils
# (v4l2-ctl, the method compared against) and libturbojpeg0 (the JPEG codec the server's capture service uses;
# both sides encode with it). The guest runs the host's own file system (read-only over 9p, see run-in-vivid.sh),
# so what is installed here - Java, JNA, libturbojpeg, v4l2-ctl - is what the guest runs. camera-api and
# camera-core must be in the local Maven repository (mvn -B -q -f bundles/camera-core/pom.xml install
# -DskipTests); Maven runs offline.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
module=$(cd "$here/../../.." && pwd)
command -v v4l2-ctl > /dev/null || { echo "run-bench: v4l2-ctl not found (apt-get install v4l-utils)" >&2; exit 3; }
if ! /sbin/ldconfig -p | grep -q 'libturbojpeg\.so\.0 '; then
    echo "run-bench: libturbojpeg.so.0 not found (apt-get install libturbojpeg0)" >&2
    exit 3
fi

mvn -B -q -o -f "$module/pom.xml" test-compile dependency:build-classpath \
    -Dmdep.outputFile="$module/target/bench.classpath" -Dmdep.includeScope=test
cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench.classpath")"
exec bash "$here/run-in-vivid.sh" -j "$module/target/vivid-bench" -t 580 -- \
    java -Djava.awt.headless=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
    org.obscura.driver.v4l2.internal.V4l2Bench "$@"
