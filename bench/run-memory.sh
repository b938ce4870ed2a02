#!/usr/bin/env bash
# The server's resident size while its folder camera streams to one MJPEG client, for several sets of JVM flags,
# side by side in one run (each round starts every set once, in turn, in a fresh working dir).
#
#   bench/run-memory.sh [FLAGS...]
#
# Each argument is one set of extra JVM flags, given after those of bndrun/jvm.options ("" for jvm.options
# alone). A set may start with "options=FILE;" to read FILE instead of bndrun/jvm.options, e.g. the flags of an
# older commit: git show <commit>:bndrun/jvm.options > /tmp/old.options.
# Environment: ROUNDS (2), STREAM_SECONDS (15), PORT_OBSCURA (28480), OBSCURA_JAR (default bndrun/target/obscura.jar).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
# shellcheck source=obscura-server.sh
. "$here/obscura-server.sh"
export LC_ALL=C
[ $# -gt 0 ] || set -- ""
rounds=${ROUNDS:-2}; port=${PORT_OBSCURA:-28480}; secs=${STREAM_SECONDS:-15}
work="$here/target/memory"; mkdir -p "$work"
bench_inputs
trap obscura_stop EXIT
default_flags=("${OBSCURA_JVM_FLAGS[@]}")

printf '%-5s %8s %7s %7s %7s %5s  %s\n' round first_ms threads rss_mb hwm_mb fps flags
for round in $(seq "$rounds"); do
  for set in "$@"; do
    flags=$set
    OBSCURA_JVM_FLAGS=("${default_flags[@]}")
    if [[ $set == options=*\;* ]]; then
      file=${set%%;*}; file=${file#options=}; flags=${set#*;}
      OBSCURA_JVM_FLAGS=("@$file" "${default_flags[@]:1}")
    fi
    OBSCURA_JAVA_OPTS=$flags OBSCURA_KEEP_HOME= OBSCURA_CDS_DIR= obscura_start_frame "$work/home" "$port" "$BENCH_FRAMES" 30
    one_client "$port" "$secs"
    threads=$(ls "/proc/$OBSCURA_PID/task" | wc -l)
    printf '%-5s %8s %7s %7s %7s %5s  %s\n' "$round" "$OBSCURA_FIRST_FRAME_MS" "$threads" "${ONE_CLIENT[rss_mb]}" \
      "${ONE_CLIENT[hwm_mb]}" "${ONE_CLIENT[fps_median]}" "${set:-(jvm.options)}"
    obscura_stop
  done
done
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
