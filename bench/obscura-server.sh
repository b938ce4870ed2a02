# Sourced by the bench scripts: starts and stops the Obscura server jar (bndrun/target/obscura.jar, or
# OBSCURA_JAR) in a throw-away working directory with one folder camera, named "bench". Not meant to be run on
# its own.

# The JVM flags of `./obscura start`: the same argument file.
OBSCURA_JVM_FLAGS=("@$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/bndrun/jvm.options")

# port_free PORT: fails, saying so, when something already listens on the loopback port.
port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "bench: port $1 is already in use; choose another (PORT_OBSCURA, PORT_MJPG)" >&2
    return 1
  fi
}

# obscura_start HOME PORT FRAMES_DIR FPS: starts the server in HOME; sets OBSCURA_PID and OBSCURA_START_NS.
obscura_start() {
  local home=$1 port=$2 frames=$3 fps=$4
  local jar="${OBSCURA_JAR:-$root/bndrun/target/obscura.jar}"
  [ -f "$jar" ] || { echo "bench: $jar is missing; build it with ./obscura build" >&2; return 1; }
  port_free "$port" || return 1
  rm -rf "$home"; mkdir -p "$home/conf" "$home/deploy" "$home/data"
  # Felix .config syntax; fps as a string: DS converts it (D"..." would mean the raw bits of a double).
  cat > "$home/conf/org.obscura.driver.testpattern.camera-bench.config" <<CONF
name="bench"
folder="$frames"
fps="$fps"
CONF
  OBSCURA_START_NS=$(date +%s%N)
  # OBSCURA_JAVA_OPTS: extra flags for experiments (like JAVA_OPTS of ./obscura start), e.g. a larger Jetty pool.
  # shellcheck disable=SC2086
  (cd "$home" && exec java "${OBSCURA_JVM_FLAGS[@]}" ${OBSCURA_JAVA_OPTS:-} -Dorg.osgi.service.http.port="$port" -jar "$jar" \
      </dev/null >"$home/server.log" 2>&1) &
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

obscura_stop() {
  [ -n "${OBSCURA_PID:-}" ] && kill "$OBSCURA_PID" 2>/dev/null && wait "$OBSCURA_PID" 2>/dev/null || true
  OBSCURA_PID=
}
