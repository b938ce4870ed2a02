#!/usr/bin/env bash
# Builds bench/c/tj_ref.c against libturbojpeg (installing libturbojpeg0-dev with apt-get when missing) and
# runs it on the benchmark frame. Usage: bench/run-c-ref.sh [WARMUP_ROUNDS MEASURED_ROUNDS ROUND_SECONDS]
# Needs bench/target/benchmarks.jar (bench/run-jmh.sh builds it) to write the frame files.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/target/c"
mkdir -p "$out"

if ! dpkg-query -W -f='${Status}' libturbojpeg0-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "run-c-ref: installing libturbojpeg0-dev" >&2
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo -n)
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc libc6-dev libturbojpeg0-dev
fi
gcc -O2 -Wall -o "$out/tj_ref" "$here/c/tj_ref.c" -lturbojpeg

[ -f "$here/target/benchmarks.jar" ] || { echo "run-c-ref: build bench/target/benchmarks.jar first (bench/run-jmh.sh --build-only)" >&2; exit 1; }
[ -f "$out/frame-1280x720.nv12" ] || java -cp "$here/target/benchmarks.jar" org.obscura.bench.TestFrames raw "$out"
echo "libjpeg-turbo $(dpkg-query -W -f='${Version}' libturbojpeg0 2>/dev/null), gcc -O2"
"$out/tj_ref" "$out/frame-1280x720.yuyv" "$out/frame-1280x720.rgb" "$out/frame-1280x720.nv12" 1280 720 80 "${1:-3}" "${2:-5}" "${3:-2}"
