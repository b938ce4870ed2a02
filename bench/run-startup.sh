#!/usr/bin/env bash
# `java -jar obscura.jar` (with the JVM flags of ./obscura start, bndrun/jvm.options) to the first JPEG frame
# served by a folder camera, then the resident size while that camera streams to one MJPEG client. Each run has
# three starts, in turn, so that they see the same (shared, noisy) machine:
#   first    a fresh working dir: the first start ever, which also generates the admin password and stores its
#            PBKDF2 hash in conf/
#   restart  the same working dir again (conf/ kept), as after a reboot
#   cds      the same again, with a class data sharing archive of the server's classes (see cds_flags in
#            obscura-server.sh), written by one training start before the runs; CDS=0 leaves these out
#   bench/run-startup.sh [RUNS]      (default 3; environment: PORT_OBSCURA (28480), STREAM_SECONDS (15),
#                                     OBSCURA_JAR (default bndrun/target/obscura.jar), OBSCURA_JAVA_OPTS, CDS)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
# shellcheck source=obscura-server.sh
. "$here/obscura-server.sh"
export LC_ALL=C
runs=${1:-3}; port=${PORT_OBSCURA:-28480}; secs=${STREAM_SECONDS:-15}
work="$here/target/startup"; mkdir -p "$work"
bench_inputs
frames=$BENCH_FRAMES
trap obscura_stop EXIT

modes=(first restart); [ "${CDS:-1}" = 1 ] && modes+=(cds)
if [ "${CDS:-1}" = 1 ]; then
  rm -rf "$work/cds"
  # Training start: the archive is written when this server stops.
  OBSCURA_CDS_DIR="$work/cds" obscura_start_frame "$work/home" "$port" "$frames" 30
  curl -s -m 3 -o /dev/null "http://127.0.0.1:$port/api/v1/cameras/bench/stream" || true
  obscura_stop
  ls "$work"/cds/*.jsa >/dev/null || { echo "bench: no class data sharing archive was written" >&2; exit 1; }
fi

results="$work/results.txt"; : > "$results"
printf '%-4s %-8s %16s %14s %10s %6s\n' run start first_frame_ms rss_1client_mb hwm_mb fps
for i in $(seq "$runs"); do
  for mode in "${modes[@]}"; do
    keep=1; [ "$mode" = first ] && keep=
    cds_dir=; [ "$mode" = cds ] && cds_dir="$work/cds"
    OBSCURA_KEEP_HOME=$keep OBSCURA_CDS_DIR=$cds_dir obscura_start_frame "$work/home" "$port" "$frames" 30
    ms=$OBSCURA_FIRST_FRAME_MS
    one_client "$port" "$secs"
    printf '%-4s %-8s %16s %14s %10s %6s\n' "$i" "$mode" "$ms" "${ONE_CLIENT[rss_mb]}" "${ONE_CLIENT[hwm_mb]}" \
      "${ONE_CLIENT[fps_median]}" | tee -a "$results"
    obscura_stop
  done
done

echo
echo "Medians over $runs runs (load average now: $(cut -d' ' -f1-3 /proc/loadavg)):"
for mode in "${modes[@]}"; do
  # sort -n, then the middle line (the lower one of two); mawk has no asort.
  ms=$(awk -v m="$mode" '$2 == m { print $3 }' "$results" | sort -n | tr '\n' ' ')
  rss=$(awk -v m="$mode" '$2 == m { print $4 }' "$results" | sort -n | tr '\n' ' ')
  awk -v m="$mode" -v ms="$ms" -v rss="$rss" 'BEGIN { n = split(ms, a, " "); split(rss, b, " "); h = int((n + 1) / 2);
    printf "  %-8s first frame %5d ms (%d-%d), RSS with one client %6.1f MB (%.1f-%.1f)\n", m, a[h], a[1], a[n], b[h], b[1], b[n] }'
done
