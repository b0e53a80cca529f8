#!/usr/bin/env bash
# Starts the local servers CineMatch's tests need: a single-node Apache Kafka broker (KRaft)
# and FerretDB (MongoDB wire protocol on SQLite). Installs them on first use into the
# git-ignored cache ($CINEMATCH_CACHE_DIR/infra, default <repo>/.cache/infra), and only from
# the package registries (Maven Central, the Go module proxy): no Docker on our machines.
#
#   eval "$(bash scripts/infra/up.sh)"     # exports KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL
#
# Stdout carries only those two export lines; progress goes to stderr. Safe to run again: a
# server that is already up is only reported. scripts/infra/down.sh stops them.
#
# Env: CINEMATCH_KAFKA_PORT (19092), CINEMATCH_KAFKA_CONTROLLER_PORT (19093),
#      CINEMATCH_MONGO_PORT (27027), CINEMATCH_CACHE_DIR, CINEMATCH_INFRA_TIMEOUT (120 s),
#      CINEMATCH_KAFKA_HEAP_OPTS (-Xms256m -Xmx768m), CINEMATCH_FERRETDB_LOG_LEVEL (warn).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TIMEOUT="${CINEMATCH_INFRA_TIMEOUT:-120}"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "CINEMATCH_INFRA_TIMEOUT must be a number of seconds, got '$TIMEOUT'"
KAFKA_HEAP_OPTS="${CINEMATCH_KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
FERRETDB_LOG_LEVEL="${CINEMATCH_FERRETDB_LOG_LEVEL:-warn}"

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$INFRA_DIR/kafka/pom.xml")"

# --- prerequisites -----------------------------------------------------------------------

require_tools() {
  local missing=()
  command -v java >/dev/null || missing+=("java (Java 17+: apt-get install openjdk-17-jre-headless)")
  command -v mvn >/dev/null || missing+=("mvn (apt-get install maven)")
  command -v go >/dev/null || missing+=("go (Go 1.21 or newer; Debian bookworm's golang-go is 1.19, too old: use Go's release tarball in /usr/local/go)")
  for t in flock timeout od sha256sum setsid awk; do
    command -v "$t" >/dev/null || missing+=("$t (apt-get install coreutils util-linux gawk)")
  done
  if ((${#missing[@]})); then
    printf 'infra: ERROR: missing tools:\n' >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 1
  fi
  # FerretDB 1.24 needs Go 1.24. From 1.21 on, go fetches a newer toolchain by itself from
  # the module proxy (GOTOOLCHAIN=auto); an older go just fails on our go.mod.
  local gov
  gov="$(go env GOVERSION 2>/dev/null || true)"
  if [[ ! "$gov" =~ ^go1\.([0-9]+) ]] || ((BASH_REMATCH[1] < 21)); then
    die "FerretDB needs Go 1.24 (Go 1.21+ can fetch it by itself), found '${gov:-$(go version 2>&1)}'; Debian bookworm's golang-go (1.19) is too old: install Go's release tarball into /usr/local/go"
  fi
  # Kafka 4.x brokers need Java 17.
  local major
  major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
  if [[ -z "$major" || "$major" -lt 17 ]]; then
    die "Kafka $KAFKA_VERSION needs Java 17 or newer, found '$(java -version 2>&1 | head -n 1)' (apt-get install openjdk-17-jre-headless)"
  fi
}

# --- install (cached) --------------------------------------------------------------------

# Content hash of the files an install depends on: a changed pom or Go source reinstalls.
stamp_of() { cat "$@" | sha256sum | cut -c1-16; }

kafka_stamp() { stamp_of "$INFRA_DIR/kafka/pom.xml"; }

install_kafka() {
  local want have="" tmp logf
  want="$(kafka_stamp)"
  [[ -f "$KAFKA_HOME/libs.stamp" ]] && have="$(cat "$KAFKA_HOME/libs.stamp")"
  if [[ "$want" == "$have" && -d "$KAFKA_LIBS" ]]; then
    return 0
  fi
  log "installing Kafka $KAFKA_VERSION jars from Maven Central (one-off)..."
  mkdir -p "$KAFKA_HOME"
  tmp="$KAFKA_HOME/libs.tmp"
  logf="$KAFKA_HOME/install.log"
  rm -rf "$tmp"
  # Jars land in the usual ~/.m2 too, so a wiped cache reinstalls without the network.
  if ! mvn -B -q -f "$INFRA_DIR/kafka/pom.xml" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$logf" 2>&1; then
    tail -n 40 "$logf" >&2
    die "could not gather the Kafka jars with Maven (full log: $logf)"
  fi
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  printf '%s\n' "$want" >"$KAFKA_HOME/libs.stamp"
}

ferretdb_stamp() {
  stamp_of "$INFRA_DIR/ferretdb/go.mod" "$INFRA_DIR/ferretdb/go.sum" "$INFRA_DIR/ferretdb/main.go" \
    "$INFRA_DIR"/ferretdb/patches/*.patch <(go version)
}

# FerretDB's module source with our patches (ferretdb/patches/*.patch) applied, in
# $FERRETDB_HOME/src, and a build folder whose go.mod points FerretDB at it. Each patch says why.
prepare_patched_ferretdb() {
  local version dir build="$FERRETDB_HOME/build" src="$FERRETDB_HOME/src" patch
  version="$(sed -n 's:^require github.com/FerretDB/FerretDB \(v[^ ]*\)$:\1:p' "$INFRA_DIR/ferretdb/go.mod")"
  [[ -n "$version" ]] || die "ferretdb/go.mod has no 'require github.com/FerretDB/FerretDB vX' line"
  dir="$(cd "$INFRA_DIR/ferretdb" && GOFLAGS=-mod=readonly go mod download -json "github.com/FerretDB/FerretDB@$version" |
    sed -n 's|^[[:space:]]*"Dir": "\(.*\)",$|\1|p')"
  [[ -n "$dir" && -d "$dir" ]] || die "could not download github.com/FerretDB/FerretDB@$version from the Go module proxy"
  rm -rf "$src" "$build"
  cp -R "$dir" "$src"
  chmod -R u+w "$src" # the module cache is read-only
  for patch in "$INFRA_DIR"/ferretdb/patches/*.patch; do
    # The ceiling keeps git from finding an enclosing repository (the cache may lie in ours),
    # where it would apply paths relative to that repository and skip ours silently.
    (cd "$src" && GIT_CEILING_DIRECTORIES="$FERRETDB_HOME" git apply -p1 "$patch") || die "could not apply $patch to FerretDB $version"
  done
  mkdir -p "$build"
  cp "$INFRA_DIR/ferretdb/go.mod" "$INFRA_DIR/ferretdb/go.sum" "$INFRA_DIR/ferretdb/main.go" "$build/"
  printf '\nreplace github.com/FerretDB/FerretDB => %s\n' "$src" >>"$build/go.mod"
}

install_ferretdb() {
  local want have="" logf
  want="$(ferretdb_stamp)"
  [[ -f "$FERRETDB_HOME/bin.stamp" ]] && have="$(cat "$FERRETDB_HOME/bin.stamp")"
  if [[ "$want" == "$have" && -x "$FERRETDB_BIN" ]]; then
    return 0
  fi
  log "building FerretDB from the Go module proxy (one-off, about a minute)..."
  mkdir -p "$FERRETDB_HOME/bin"
  logf="$FERRETDB_HOME/install.log"
  prepare_patched_ferretdb
  # Pure Go (modernc SQLite), no C toolchain needed; the PostgreSQL backend is left out as
  # we only use SQLite. -mod=readonly: build exactly what go.sum pins.
  if ! (cd "$FERRETDB_HOME/build" &&
      CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" \
        go build -trimpath -tags ferretdb_no_postgresql -o "$FERRETDB_BIN.tmp" .) >"$logf" 2>&1; then
    tail -n 40 "$logf" >&2
    die "could not build FerretDB (full log: $logf)"
  fi
  mv -f "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  printf '%s\n' "$want" >"$FERRETDB_HOME/bin.stamp"
}

# --- start -------------------------------------------------------------------------------

# A foreign process on one of our ports would make the new server die on bind, which reads
# like a broken install: say it plainly instead.
ensure_port_free() {
  local port=$1 what=$2 var=$3
  if port_open "$port"; then
    die "port $port (for $what) is already taken by another process; free it or set $var"
  fi
}

# Keeps the previous run's log next to the new one, for comparing a failed start with a good one.
rotate_log() {
  [[ -f "$1" ]] && mv -f "$1" "$1.prev"
  : >"$1"
}

write_kafka_config() {
  cat >"$KAFKA_CONFIG" <<EOF
# Written by scripts/infra/up.sh on every start; edit that script, not this file.
# Single node that is both KRaft controller and broker, loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA

# One broker: every replication factor and ISR minimum is 1.
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Internal topics default to 50 partitions each; a handful keeps the first group join and
# the first transaction fast on a 2-core machine, and behaves the same for clients.
offsets.topic.num.partitions=$KAFKA_INTERNAL_TOPIC_PARTITIONS
transaction.state.log.num.partitions=$KAFKA_INTERNAL_TOPIC_PARTITIONS
share.coordinator.state.topic.num.partitions=$KAFKA_INTERNAL_TOPIC_PARTITIONS

# Tests create their topics themselves; auto-creation stays on as in a default broker.
auto.create.topics.enable=true
# The first consumer of a group is not held back 3 s waiting for others to join.
group.initial.rebalance.delay.ms=0
EOF
}

start_kafka() {
  mkdir -p "$KAFKA_HOME" "$KAFKA_DATA"
  write_kafka_config
  rotate_log "$KAFKA_LOG"

  # A KRaft log dir must be formatted once with a cluster id. Format with the same JVM
  # launcher; -g makes a re-run on a formatted dir a no-op instead of an error.
  if [[ ! -f "$KAFKA_DATA/meta.properties" ]]; then
    local cluster_id
    # A Kafka cluster id is 16 random bytes in URL-safe base64 without padding; Kafka itself
    # never hands out one that starts with '-' (it would read as a CLI flag).
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | sed 's/^-/A/')"
    if ! java -Dlog4j2.configurationFile="$INFRA_DIR/kafka/log4j2.properties" -cp "$KAFKA_LIBS/*" \
        kafka.tools.StorageTool format -g -t "$cluster_id" -c "$KAFKA_CONFIG" >>"$KAFKA_LOG" 2>&1; then
      tail_log "$KAFKA_LOG"
      die "could not format the Kafka data dir $KAFKA_DATA (try: bash scripts/infra/down.sh --wipe)"
    fi
  fi

  # setsid: the broker outlives this script and is not hit by the caller's Ctrl-C or hangup.
  # All its output goes to the log, so `$(up.sh)` does not wait on it; 9>&- drops our lock.
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags
  setsid java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$INFRA_DIR/kafka/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONFIG" </dev/null >>"$KAFKA_LOG" 2>&1 9>&- &
  printf '%s\n' "$!" >"$KAFKA_PID"
  printf '%s\n' "$KAFKA_PORT" >"$KAFKA_PORT_FILE"
}

start_ferretdb() {
  mkdir -p "$FERRETDB_HOME" "$FERRETDB_DATA"
  rotate_log "$FERRETDB_LOG"
  # synchronous(normal): in WAL mode SQLite then syncs at checkpoints, not on every commit.
  # Still safe if a server process dies (only an OS crash can lose the last commits, which
  # test data can afford), and single writes get 1.5-3x faster on our disks.
  setsid "$FERRETDB_BIN" --listen-addr="127.0.0.1:$MONGO_PORT" \
    --sqlite-url="file:$FERRETDB_DATA/?_pragma=synchronous(normal)" \
    --log-level="$FERRETDB_LOG_LEVEL" </dev/null >>"$FERRETDB_LOG" 2>&1 9>&- &
  printf '%s\n' "$!" >"$FERRETDB_PID"
  printf '%s\n' "$MONGO_PORT" >"$FERRETDB_PORT_FILE"
}

# Polls until `check port` succeeds, the process dies, or the shared deadline passes.
wait_ready() {
  local name=$1 check=$2 port=$3 pid_file=$4 marker=$5 log_file=$6 started=$7
  while ! "$check" "$port"; do
    if ! our_pid "$pid_file" "$marker" >/dev/null; then
      tail_log "$log_file"
      rm -f "$pid_file"
      die "$name exited during start-up (log: $log_file)"
    fi
    if ! before_deadline "$DEADLINE"; then
      tail_log "$log_file"
      die "$name did not become ready on 127.0.0.1:$port within ${TIMEOUT}s (still running, pid $(cat "$pid_file"); log: $log_file; stop it with scripts/infra/down.sh)"
    fi
    sleep 0.2
  done
  log "$name ready on 127.0.0.1:$port in $(elapsed_since "$started")s"
}

# Sets RUNNING_PID to the pid of our live server, or to "" after clearing a stale pid file
# (dead process, or a pid since reused by something else). Refuses to run a second copy on
# other ports next to a live one.
check_running() {
  local name=$1 pid_file=$2 port_file=$3 marker=$4 port=$5 recorded
  RUNNING_PID=""
  if RUNNING_PID="$(our_pid "$pid_file" "$marker")"; then
    recorded="$(cat "$port_file" 2>/dev/null || true)"
    if [[ "$recorded" != "$port" ]]; then
      die "$name is already running (pid $RUNNING_PID) on port ${recorded:-?}, not $port; run scripts/infra/down.sh first"
    fi
    return 0
  fi
  RUNNING_PID=""
  rm -f "$pid_file" "$port_file"
}

# --- main --------------------------------------------------------------------------------

main() {
  local t0 kafka_pid="" ferretdb_pid="" kafka_started="" ferretdb_started="" mvn_job rc
  t0="$(now)"
  require_tools
  take_lock
  mkdir -p "$CACHE"
  # The cache ignores itself, so it stays out of git even where .gitignore lacks .cache/.
  [[ -f "$CACHE/.gitignore" ]] || printf '*\n' >"$CACHE/.gitignore"

  check_running Kafka "$KAFKA_PID" "$KAFKA_PORT_FILE" "$KAFKA_MARKER" "$KAFKA_PORT"
  kafka_pid="$RUNNING_PID"
  check_running FerretDB "$FERRETDB_PID" "$FERRETDB_PORT_FILE" "$FERRETDB_MARKER" "$MONGO_PORT"
  ferretdb_pid="$RUNNING_PID"

  # Install only what is not running: swapping jars under a live JVM would break it. Maven
  # mostly waits on the network while Go mostly compiles, so the two run side by side.
  if [[ -z "$kafka_pid" ]]; then
    install_kafka &
    mvn_job=$!
  fi
  if [[ -z "$ferretdb_pid" ]]; then
    install_ferretdb
  elif [[ "$(ferretdb_stamp)" != "$(cat "$FERRETDB_HOME/bin.stamp" 2>/dev/null)" ]]; then
    log "note: scripts/infra/ferretdb changed since the running FerretDB was built; restart with down.sh && up.sh"
  fi
  if [[ -n "${mvn_job:-}" ]]; then
    rc=0
    wait "$mvn_job" || rc=$?
    ((rc == 0)) || exit "$rc"
  elif [[ "$(kafka_stamp)" != "$(cat "$KAFKA_HOME/libs.stamp" 2>/dev/null)" ]]; then
    log "note: scripts/infra/kafka/pom.xml changed since the running Kafka was installed; restart with down.sh && up.sh"
  fi

  if [[ -z "$kafka_pid" ]]; then
    ensure_port_free "$KAFKA_PORT" "Kafka" CINEMATCH_KAFKA_PORT
    ensure_port_free "$KAFKA_CONTROLLER_PORT" "the Kafka controller" CINEMATCH_KAFKA_CONTROLLER_PORT
  fi
  if [[ -z "$ferretdb_pid" ]]; then
    ensure_port_free "$MONGO_PORT" "FerretDB" CINEMATCH_MONGO_PORT
  fi

  # Both start before either is awaited: the JVM's start-up then overlaps FerretDB's.
  if [[ -z "$kafka_pid" ]]; then
    log "starting Kafka $KAFKA_VERSION (KRaft, single node) on 127.0.0.1:$KAFKA_PORT..."
    kafka_started="$(now)"
    start_kafka
  fi
  if [[ -z "$ferretdb_pid" ]]; then
    log "starting FerretDB on 127.0.0.1:$MONGO_PORT..."
    ferretdb_started="$(now)"
    start_ferretdb
  fi

  DEADLINE="$(awk -v n="$(now)" -v t="$TIMEOUT" 'BEGIN { printf "%.3f", n + t }')"
  # FerretDB first: it is up in well under a second, so each reported time is its own.
  if [[ -n "$ferretdb_pid" ]]; then
    log "FerretDB already running (pid $ferretdb_pid)"
    ferretdb_started="$(now)"
  fi
  wait_ready FerretDB mongo_ready "$MONGO_PORT" "$FERRETDB_PID" "$FERRETDB_MARKER" "$FERRETDB_LOG" "$ferretdb_started"
  if [[ -n "$kafka_pid" ]]; then
    log "Kafka already running (pid $kafka_pid)"
    kafka_started="$(now)"
  fi
  wait_ready Kafka kafka_ready "$KAFKA_PORT" "$KAFKA_PID" "$KAFKA_MARKER" "$KAFKA_LOG" "$kafka_started"

  log "all up in $(elapsed_since "$t0")s (logs and data under $CACHE; stop with scripts/infra/down.sh)"
  printf 'export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:%s\n' "$KAFKA_PORT"
  printf 'export MONGODB_URL=mongodb://127.0.0.1:%s/cinematch\n' "$MONGO_PORT"
}

main "$@"
