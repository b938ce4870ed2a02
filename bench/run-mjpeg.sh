#!/usr/bin/env bash
# The same 1280x720 JPEG frames at 30 fps served to N MJPEG clients by Obscura (folder camera) and by
# mjpg-streamer (input_file + output_http), one after the other in the same run, loopback only.
#
#   MJPG_STREAMER_DIR=DIR bench/run-mjpeg.sh [CLIENTS...]        (default: 50)
#
# DIR is a local build of jacksonliam/mjpg-streamer (mjpg-streamer-experimental built with cmake): it must hold
# the mjpg_streamer program and plugins/input_file/input_file.so, plugins/output_http/output_http.so (or the
# two .so files next to the program). Without it only Obscura is measured.
# Environment: SECONDS_MEASURED (20), WARMUP (5), FRAMES (30 distinct JPEGs), PORT_OBSCURA (28480), PORT_MJPG
# (28490), OBSCURA_JAR (default bndrun/target/obscura.jar), OBSCURA_JAVA_OPTS (extra JVM flags for the server).
# Results and logs: bench/target/mjpeg/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
# shellcheck source=obscura-server.sh
. "$here/obscura-server.sh"
export LC_ALL=C
clients=("$@"); [ ${#clients[@]} -eq 0 ] && clients=(50)
secs=${SECONDS_MEASURED:-20}; warm=${WARMUP:-5}
port_o=${PORT_OBSCURA:-28480}; port_m=${PORT_MJPG:-28490}
work="$here/target/mjpeg"; mkdir -p "$work"
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || "$here/run-jmh.sh" --build-only

frames="$work/frames"
if [ ! -f "$frames/frame-000.jpg" ]; then
  java -cp "$jar" org.obscura.bench.TestFrames jpegs "$frames" "${FRAMES:-30}"
fi

mjpg_pid=
cleanup() { obscura_stop; [ -n "$mjpg_pid" ] && kill "$mjpg_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

obscura_start_frame "$work/obscura-home" "$port_o" "$frames" 30
echo "Obscura pid $OBSCURA_PID: first frame after $OBSCURA_FIRST_FRAME_MS ms"

mjpg=${MJPG_STREAMER_DIR:-}
if [ -n "$mjpg" ]; then
  plugin() { local p; for p in "$mjpg/plugins/$1/$1.so" "$mjpg/$1.so"; do [ -f "$p" ] && { echo "$p"; return; }; done
             echo "bench: $1.so not found under $mjpg" >&2; return 1; }
  in_so=$(plugin input_file); out_so=$(plugin output_http)
  port_free "$port_m"
  "$mjpg/mjpg_streamer" -i "$in_so -f $frames -e -d 0.033" -o "$out_so -l 127.0.0.1 -p $port_m" \
    >"$work/mjpg-streamer.log" 2>&1 &
  mjpg_pid=$!
  for _ in $(seq 100); do curl -fsS -m 1 -o /dev/null "http://127.0.0.1:$port_m/?action=snapshot" 2>/dev/null && break; sleep 0.1; done
  echo "mjpg-streamer pid $mjpg_pid"
fi

load() { # label url pid clients
  java -Xss256k -Xmx512m -cp "$jar" org.obscura.bench.MjpegLoad --label "$1" --url "$2" --pid "$3" \
    --clients "$4" --seconds "$secs" --warmup "$warm" | tee -a "$work/load.txt"
}
: > "$work/results.txt"
for n in "${clients[@]}"; do
  load obscura "http://127.0.0.1:$port_o/api/v1/cameras/bench/stream" "$OBSCURA_PID" "$n" | grep '^RESULT' >> "$work/results.txt" || true
  kill -0 "$OBSCURA_PID" 2>/dev/null || echo "bench: the Obscura server (pid $OBSCURA_PID) is gone; see $work/obscura-home/server.log" >&2
  if [ -n "$mjpg_pid" ]; then
    load mjpg-streamer "http://127.0.0.1:$port_m/?action=stream" "$mjpg_pid" "$n" | grep '^RESULT' >> "$work/results.txt" || true
  fi
done

echo
echo "Same $(ls "$frames" | wc -l) JPEG frames (1280x720, $(( $(cat "$frames"/*.jpg | wc -c) / $(ls "$frames" | wc -l) / 1024 )) KB average) at 30 fps; ${secs} s measured after ${warm} s"
printf '%-14s %7s %8s %8s %10s %7s %14s %8s %8s %11s\n' server clients fps_min fps_med ">=25fps" failed "cpu_ms/frame" rss_mb hwm_mb driver_cpu%
while read -r line; do
  declare -A r=(); for kv in ${line#RESULT }; do r[${kv%%=*}]=${kv#*=}; done
  printf '%-14s %7s %8s %8s %10s %7s %14s %8s %8s %11.0f\n' "${r[label]}" "${r[clients]}" "${r[fps_min]}" \
    "${r[fps_median]}" "${r[clients_25fps]}/${r[clients]}" "${r[failed]}" "${r[cpu_ms_per_frame]}" "${r[rss_mb]}" \
    "${r[hwm_mb]}" "$(awk -v c="${r[driver_cpu_ms]}" -v s="${r[seconds]}" 'BEGIN{print c/s/10}')"
  unset r
done < "$work/results.txt"
