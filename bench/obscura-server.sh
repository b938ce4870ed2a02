# Sourced by the bench scripts: starts and stops the Obscura server jar (bndrun/target/obscura.jar, or
# OBSCURA_JAR) in a throw-away working directory with one folder camera, named "bench". Not meant to be run on
# its own.

# The JVM flags of `./obscura start`: the same argument file.
# The flags bin/obscura gives a server whose standard input is /dev/null, as the benchmarks' is: jvm.options, and no
# Gogo console (it would only wait for the end of input).
OBSCURA_JVM_FLAGS=("@$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/bndrun/jvm.options"
                   "-Dgosh.args=--nointeractive --noshutdown")

# port_free PORT: fails, saying so, when something already listens on the loopback port.
port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "bench: port $1 is already in use; choose another (PORT_OBSCURA, PORT_MJPG)" >&2
    return 1
  fi
}

# cds_flags JAR: the class data sharing flags for a start of JAR when OBSCURA_CDS_DIR is set (else none). JDK 17's
# dynamic archive holds the classes the server loaded: the JDK's, the launcher's and Felix's, and the bundles'
# (classes of Felix's bundle class loaders are taken from the archive when their bytes match). The archive is
# named after the jar's size and time, because a stale one is refused as a whole; a start that finds none writes
# it when the server stops (-XX:ArchiveClassesAtExit), later starts use it. Never name a missing archive with
# -XX:SharedArchiveFile: JDK 17 then starts without even its default archive.
cds_flags() {
  [ -n "${OBSCURA_CDS_DIR:-}" ] || return 0
  mkdir -p "$OBSCURA_CDS_DIR"
  local archive; archive="$OBSCURA_CDS_DIR/obscura-$(stat -c %s-%Y "$1").jsa"
  if [ -f "$archive" ]; then
    echo "-XX:SharedArchiveFile=$archive"
  else
    echo "-XX:ArchiveClassesAtExit=$archive"
  fi
}

# obscura_start HOME PORT FRAMES_DIR FPS: starts the server in HOME; sets OBSCURA_PID and OBSCURA_START_NS.
# HOME is emptied first unless OBSCURA_KEEP_HOME=1 (a restart: conf/, with the stored admin password hash, stays).
obscura_start() {
  local home=$1 port=$2 frames=$3 fps=$4
  local jar="${OBSCURA_JAR:-$root/bndrun/target/obscura.jar}"
  [ -f "$jar" ] || { echo "bench: $jar is missing; build it with ./obscura build" >&2; return 1; }
  port_free "$port" || return 1
  [ "${OBSCURA_KEEP_HOME:-}" = 1 ] || rm -rf "$home"
  mkdir -p "$home/conf" "$home/deploy" "$home/data"
  # Felix .config syntax; fps as a string: DS converts it (D"..." would mean the raw bits of a double).
  cat > "$home/conf/org.obscura.driver.testpattern.camera-bench.config" <<CONF
name="bench"
folder="$frames"
fps="$fps"
CONF
  local cds; cds=$(cds_flags "$jar")
  OBSCURA_START_NS=$(date +%s%N)
  # OBSCURA_JAVA_OPTS: extra flags for experiments (like JAVA_OPTS of ./obscura start), e.g. a larger Jetty pool.
  # shellcheck disable=SC2086
  (cd "$home" && exec java "${OBSCURA_JVM_FLAGS[@]}" $cds ${OBSCURA_JAVA_OPTS:-} -Dorg.osgi.service.http.port="$port" -jar "$jar" \
      </dev/null >>"$home/server.log" 2>&1) &
  OBSCURA_PID=$!
}

# obscura_wait_frame PORT TIMEOUT_S: waits until the bench camera serves a JPEG frame; prints the ms since start.
obscura_wait_frame() {
  local port=$1 deadline=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if curl -fsS -m 2 -o /dev/null -w '%{content_type}' "http://127.0.0.1:$port/api/v1/cameras/bench/frame" 2>/dev/null \
        | grep -q image/jpeg; then
      echo $(( ($(date +%s%N) - OBSCURA_START_NS) / 1000000 ))
      return 0
    fi
    sleep 0.02
  done
  echo "bench: no frame from Obscura on port $port within $2 s; see its log" >&2
  return 1
}

# obscura_start_frame HOME PORT FRAMES_DIR FPS: obscura_start, then obscura_wait_frame (60 s); sets
# OBSCURA_FIRST_FRAME_MS. A server whose bench camera never came up (it happens now and then: the camera component
# is created from its configuration file before the file's properties are in it, "name is required" in the log)
# is said so on stderr, stopped and started once more in the same way (OBSCURA_KEEP_HOME as given).
obscura_start_frame() {
  OBSCURA_FIRST_FRAME_MS=
  obscura_start "$@" || return 1
  if OBSCURA_FIRST_FRAME_MS=$(obscura_wait_frame "$2" 60); then return 0; fi
  echo "bench: the bench camera did not come up; log: $(grep -m1 -E 'ERROR|Exception:' "$1/server.log" | cut -c1-200)" >&2
  echo "bench: starting the server once more" >&2
  obscura_stop
  cp "$1/server.log" "$1/../server-failed-$(date +%s).log" 2>/dev/null || true
  obscura_start "$@" || return 1
  OBSCURA_FIRST_FRAME_MS=$(obscura_wait_frame "$2" 60)
}

obscura_stop() {
  [ -n "${OBSCURA_PID:-}" ] && kill "$OBSCURA_PID" 2>/dev/null && wait "$OBSCURA_PID" 2>/dev/null || true
  OBSCURA_PID=
}

# bench_inputs: builds bench/target/benchmarks.jar (the load driver) and the 30 test frames when they are missing;
# sets BENCH_JAR and BENCH_FRAMES.
bench_inputs() {
  BENCH_JAR="$root/bench/target/benchmarks.jar"
  [ -f "$BENCH_JAR" ] || "$root/bench/run-jmh.sh" --build-only
  BENCH_FRAMES="$root/bench/target/mjpeg/frames"
  [ -f "$BENCH_FRAMES/frame-000.jpg" ] || java -cp "$BENCH_JAR" org.obscura.bench.TestFrames jpegs "$BENCH_FRAMES" 30
}

# one_client PORT SECONDS: one MJPEG client of the bench camera of the server OBSCURA_PID, measured for SECONDS after
# 5 s; fills the associative array ONE_CLIENT with the load driver's result (rss_mb, hwm_mb, fps_median, ...).
declare -A ONE_CLIENT
one_client() {
  local line kv
  line=$(java -Xss256k -cp "$BENCH_JAR" org.obscura.bench.MjpegLoad --label one-client --clients 1 --warmup 5 \
         --seconds "$2" --pid "$OBSCURA_PID" --url "http://127.0.0.1:$1/api/v1/cameras/bench/stream" | grep '^RESULT')
  ONE_CLIENT=()
  for kv in ${line#RESULT }; do ONE_CLIENT[${kv%%=*}]=${kv#*=}; done
}
