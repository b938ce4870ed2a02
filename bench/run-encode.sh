#!/usr/bin/env bash
# 1280x720 -> JPEG q80, side by side in one run: camera-core's libjpeg-turbo codec and its pure-Java fallback
# (JMH, with JMH's gc profiler for the allocation per frame) and libjpeg-turbo driven from C on the same frame
# (bench/c/tj_ref.c). Prints a table; the raw outputs stay in bench/target/encode/.
# Usage: bench/run-encode.sh [WARMUP_ROUNDS MEASURED_ROUNDS ROUND_SECONDS]   (default 3 5 2, for both sides)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
warm=${1:-3}; rounds=${2:-5}; secs=${3:-2}
out="$here/target/encode"
mkdir -p "$out"
export LC_ALL=C

"$here/run-jmh.sh" --build-only
# C before and after JMH, so that both sides see the same (shared, noisy) machine; the table uses both.
"$here/run-c-ref.sh" "$warm" "$rounds" "$secs" | tee "$out/c.txt"
"$here/run-jmh.sh" -wi "$warm" -i "$rounds" -w "${secs}s" -r "${secs}s" -prof gc \
  -rf json -rff "$out/jmh.json" | tee "$out/jmh.txt" | grep -E '^(Benchmark|EncodeBenchmark)' || true
"$here/run-jmh.sh" SplitBenchmark -p split=core,rows -wi "$warm" -i "$rounds" -w "${secs}s" -r "${secs}s" \
  -rf json -rff "$out/split.json" | tee "$out/split.txt" | grep -E '^(Benchmark|SplitBenchmark)' || true
"$here/run-c-ref.sh" "$warm" "$rounds" "$secs" | tee -a "$out/c.txt"

# Noise on a shared machine only ever adds time, so the fastest measured round of each side is the steadiest
# figure; the mean over all rounds is shown beside it.
c_stat() { # mode -> "best mean worst" over the rounds of both C runs (a run's best/mean/worst round)
  sed -n "s/^RESULT mode=$1 ms_mean=\([0-9.]*\) ms_min=\([0-9.]*\) ms_max=\([0-9.]*\).*/\2 \1 \3/p" "$out/c.txt" \
    | awk 'NR==1 {b=$1; w=$3} {if ($1<b) b=$1; if ($3>w) w=$3; m+=$2; n++} END {printf "%.3f %.3f %.3f", b, m/n, w}'
}
j_stat() { # codec format -> "best mean worst alloc_bytes_per_op"
  jq -r --arg c "$1" --arg f "$2" '.[] | select(.params.codec==$c and .params.format==$f)
    | (.primaryMetric.rawData | flatten) as $r
    | "\($r | min) \(.primaryMetric.score) \($r | max) \(.secondaryMetrics["gc.alloc.rate.norm"].score // "nan")"' "$out/jmh.json"
}

echo
echo "1280x720 -> JPEG q80, 4:2:0, one thread; ms per frame: best round / mean of rounds ($rounds rounds of ${secs} s after"
echo "$warm warm-up rounds; C: two runs, before and after JMH). Speed ratio = C time / Java time (100% = as fast as C)."
printf '%-6s | %-22s | %-24s | %-19s | %-13s | %s\n' format "C libjpeg-turbo" "camera-core turbojpeg" "Java/C speed" "alloc B/frame" "pure-Java codec, best (x slower)"
printf '%-6s | %-22s | %-24s | %-19s | %-13s |\n' "" "best / mean (worst)" "best / mean (worst)" "best / mean" ""
for f in YUYV NV12 RGB24; do
  case $f in YUYV) mode=yuyv ;; NV12) mode=nv12 ;; RGB24) mode=rgb ;; esac
  read -r cb cm cw <<<"$(c_stat $mode)"
  read -r tb tm tw ta <<<"$(j_stat turbojpeg $f)"
  read -r jb jm jw ja <<<"$(j_stat java $f)"
  awk -v f="$f" -v cb="$cb" -v cm="$cm" -v cw="$cw" -v tb="$tb" -v tm="$tm" -v tw="$tw" -v ta="$ta" -v jb="$jb" \
    'BEGIN { printf "%-6s | %5.2f / %5.2f (%5.2f) | %5.2f / %5.2f (%5.2f)   | %6.0f%% / %6.0f%%   | %13.0f | %6.2f (%4.1fx)\n",
             f, cb, cm, cw, tb, tm, tw, 100*cb/tb, 100*cm/tm, ta, jb, jb/tb }'
done
read -r pb pm pw <<<"$(c_stat yuv-planes)"
echo "(C's library-only share of the YUYV and NV12 rows, tjCompressFromYUVPlanes of ready planes: best $pb, mean $pm ms.)"
echo
echo "The split into I420 planes alone (the Java share of the YUYV and NV12 rows), ms per frame, best / mean (worst);"
echo "core = camera-core's split, rows = the copy-rows-to-the-heap alternative (SplitBenchmark):"
for f in YUYV NV12; do
  case $f in YUYV) mode=yuyv-split ;; NV12) mode=nv12-split ;; esac
  read -r cb cm cw <<<"$(c_stat $mode)"
  for s in core rows; do
    read -r sb sm sw <<<"$(jq -r --arg f "$f" --arg s "$s" '.[] | select(.params.format==$f and .params.split==$s)
      | (.primaryMetric.rawData | flatten) as $r | "\($r | min / 1000) \(.primaryMetric.score / 1000) \($r | max / 1000)"' "$out/split.json")"
    awk -v f="$f" -v s="$s" -v cb="$cb" -v cm="$cm" -v cw="$cw" -v sb="$sb" -v sm="$sm" -v sw="$sw" \
      'BEGIN { printf "%-6s | C %5.3f / %5.3f (%5.3f) | Java %-5s %5.3f / %5.3f (%5.3f) | Java/C speed %3.0f%% / %3.0f%%\n",
               f, cb, cm, cw, s, sb, sm, sw, 100*cb/sb, 100*cm/sm }'
  done
done
