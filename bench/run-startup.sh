#!/usr/bin/env bash
# `java -jar obscura.jar` (with the JVM flags of ./obscura start) to the first JPEG frame served by a folder
# camera, then the resident size while that camera streams to one MJPEG client. Fresh working dir each run.
#   bench/run-startup.sh [RUNS]      (default 3; environment: PORT_OBSCURA (28480), STREAM_SECONDS (15),
#                                     OBSCURA_JAR (default bndrun/target/obscura.jar))
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
# shellcheck source=obscura-server.sh
. "$here/obscura-server.sh"
export LC_ALL=C
runs=${1:-3}; port=${PORT_OBSCURA:-28480}; secs=${STREAM_SECONDS:-15}
work="$here/target/startup"; mkdir -p "$work"
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || "$here/run-jmh.sh" --build-only
frames="$here/target/mjpeg/frames"
[ -f "$frames/frame-000.jpg" ] || java -cp "$jar" org.obscura.bench.TestFrames jpegs "$frames" 30
trap obscura_stop EXIT

printf '%-4s %16s %14s %14s %10s\n' run first_frame_ms rss_1client_mb hwm_mb fps
for i in $(seq "$runs"); do
  obscura_start "$work/home" "$port" "$frames" 30
  ms=$(obscura_wait_frame "$port" 60)
  line=$(java -Xss256k -cp "$jar" org.obscura.bench.MjpegLoad --label one-client --clients 1 --warmup 5 \
         --seconds "$secs" --pid "$OBSCURA_PID" --url "http://127.0.0.1:$port/api/v1/cameras/bench/stream" | grep '^RESULT')
  declare -A r=(); for kv in ${line#RESULT }; do r[${kv%%=*}]=${kv#*=}; done
  printf '%-4s %16s %14s %14s %10s\n' "$i" "$ms" "${r[rss_mb]}" "${r[hwm_mb]}" "${r[fps_median]}"
  unset r
  obscura_stop
done
