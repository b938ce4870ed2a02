#!/bin/sh
# Liveview fps and capture-to-file latency of the gphoto2 driver against the virtual PTP/IP camera, side by
# side with the gphoto2 command-line program started per request. Prints a markdown table.
#
#   bundles/gphoto2-driver/src/test/bench/run-bench.sh [--seconds S] [--captures N] [--gphoto2 PATH|none]
#
# Needs libgphoto2-6 and (for the comparison) the gphoto2 package. Builds only this module's test classes.
set -eu
module=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$module"
mvn -B -q -f pom.xml test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT INT TERM
# libgphoto2 keeps a GUID and the last port in $HOME/.gphoto: never the developer's own
HOME=$home LC_ALL=C.UTF-8 LANG=C.UTF-8 exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
    org.obscura.driver.gphoto2.internal.Gphoto2Bench "$@"
