#!/usr/bin/env bash
# Starts the real stack in the background (`npm run stack:up`): the local Kafka broker and
# MongoDB-wire server (scripts/infra/up.sh), then the API and the runners, each as its own process
# against those servers:
#
#   npm run stack:up -- --trends 3 --user-stats 2 --api 2
#
#   trends-runner-1..N       node <repo>/apps/trends-runner/src/main.ts      (ps: trends-runner-<n>)
#   user-stats-runner-1..N   node <repo>/apps/user-stats-runner/src/main.ts  (ps: user-stats-runner-<n>)
#   api                      node <repo>/apps/api/src/main.ts, or with --api N > 1
#                            node <repo>/apps/api/src/cluster.ts: N workers on the one PORT
#                            (ps: cinematch-api-worker-<n>)
#
# Counts default to 1 (env CINEMATCH_STACK_TRENDS, CINEMATCH_STACK_USER_STATS, CINEMATCH_STACK_API).
# Runners of one kind share a consumer group: Kafka spreads the partitions over them. The API
# workers share the token secret, generated once into .cache/stack/token-secret (unless
# CINEMATCH_TOKEN_SECRET is set). Logs and pid files are in .cache/stack/ (<name>.log, <name>.pid).
# Run it again at any time: it starts only what is not running, so it also restarts a crashed
# runner (a dead API worker is restarted by the cluster itself). It does not stop instances beyond
# the counts: run stack:down first to run fewer. It waits until the API answers /ready and every
# runner has joined its group, then prints the URL. `npm run stack:down` stops everything again.
#
# An empty MongoDB catalog gets the demo catalog (vega-datasets) first, so there are films to search;
# a catalog with films is left alone (import one with `npx cinematch catalog import`).
#
# With KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL both set, those servers are used and no local
# ones are started. Env: PORT (8000), HOST (127.0.0.1), CINEMATCH_STACK_TIMEOUT (120 s to wait for
# /ready), CINEMATCH_STACK_DEMO_CATALOG (auto | never), CINEMATCH_CACHE_DIR (.cache), and every
# setting of the apps themselves (passed through).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The apps need Node 24 (TypeScript type stripping); npm run gets it from scripts/node24.sh.
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [[ "$node_major" -lt 24 ]]; then
  exec sh "$REPO_ROOT/scripts/node24.sh" bash "${BASH_SOURCE[0]}" "$@"
fi

TRENDS_COUNT="${CINEMATCH_STACK_TRENDS:-1}"
USER_STATS_COUNT="${CINEMATCH_STACK_USER_STATS:-1}"
API_COUNT="${CINEMATCH_STACK_API:-1}"
while (($#)); do
  case "$1" in
    --trends) TRENDS_COUNT="${2:-}"; shift 2 || die "--trends needs a count" ;;
    --user-stats) USER_STATS_COUNT="${2:-}"; shift 2 || die "--user-stats needs a count" ;;
    --api) API_COUNT="${2:-}"; shift 2 || die "--api needs a count" ;;
    -h | --help)
      sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$1' (expected --trends N, --user-stats N, --api N)" ;;
  esac
done
for count in "$TRENDS_COUNT" "$USER_STATS_COUNT" "$API_COUNT"; do
  [[ "$count" =~ ^[0-9]+$ ]] && ((count >= 1 && count <= 32)) || die "counts must be whole numbers from 1 to 32, got '$count'"
done
RUNNERS=()
for ((n = 1; n <= TRENDS_COUNT; n++)); do RUNNERS+=("trends-runner-$n"); done
for ((n = 1; n <= USER_STATS_COUNT; n++)); do RUNNERS+=("user-stats-runner-$n"); done
STACK_APPS=("${RUNNERS[@]}" api)

PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
TIMEOUT="${CINEMATCH_STACK_TIMEOUT:-120}"
DEMO_CATALOG="${CINEMATCH_STACK_DEMO_CATALOG:-auto}"
[[ "$DEMO_CATALOG" == auto || "$DEMO_CATALOG" == never ]] ||
  die "CINEMATCH_STACK_DEMO_CATALOG must be auto or never, got '$DEMO_CATALOG'"
[[ "$PORT" =~ ^[0-9]+$ ]] && ((PORT >= 1 && PORT <= 65535)) || die "PORT must be a TCP port number, got '$PORT'"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "CINEMATCH_STACK_TIMEOUT must be a number of seconds, got '$TIMEOUT'"
export PORT HOST

# Where the API is reached from here: a wildcard listen address is reached on loopback.
case "$HOST" in
  0.0.0.0 | :: | "[::]" | "") PROBE_HOST=127.0.0.1 ;;
  *) PROBE_HOST="$HOST" ;;
esac
READY_URL="http://$PROBE_HOST:$PORT/ready"

port_open() { (exec 3<>"/dev/tcp/$PROBE_HOST/$1") 2>/dev/null; }

tail_log() {
  local file=$1
  [[ -s "$file" ]] || return 0
  printf -- '--- last lines of %s ---\n' "$file" >&2
  tail -n 30 "$file" >&2
  printf -- '---\n' >&2
}

start_app() {
  local name=$1 log_file entry pid
  log_file="$(log_file_of "$name")"
  entry="$(entry_of "$name")"
  [[ "$name" == api && "$API_COUNT" -gt 1 ]] && entry="$(cluster_entry)"
  [[ -f "$entry" ]] || die "$name is missing: $entry"
  [[ -f "$log_file" ]] && mv -f "$log_file" "$log_file.prev"
  : >"$log_file"
  # setsid: the process outlives this script and is not hit by the terminal's Ctrl-C or hangup.
  # 8>&-: the app must not inherit (and so hold for its whole life) the lock of this script.
  # CINEMATCH_INSTANCE_ID names a runner in ps, in its ownership claims and in its logs.
  (cd "$REPO_ROOT" && CINEMATCH_INSTANCE_ID="$name" CINEMATCH_API_WORKERS="$API_COUNT" exec setsid node "$entry") \
    </dev/null >>"$log_file" 2>&1 8>&- &
  pid=$!
  printf '%s\n' "$pid" >"$(pid_file_of "$name")"
  log "$name: started (pid $pid, log $log_file)"
}

wait_ready() {
  local deadline pid
  deadline="$(deadline_in "$TIMEOUT")"
  log "waiting for $READY_URL ..."
  while ! curl -fsS -o /dev/null --max-time 2 "$READY_URL" 2>/dev/null; do
    if ! pid="$(our_pid api)"; then
      tail_log "$(log_file_of api)"
      die "the API exited during start-up (log: $(log_file_of api))"
    fi
    if ! before_deadline "$deadline"; then
      tail_log "$(log_file_of api)"
      die "the API (pid $pid) did not answer $READY_URL within ${TIMEOUT}s; it is still running (stop with npm run stack:down)"
    fi
    sleep 0.3
  done
}

# The line each runner logs once it has joined its consumer group (its readiness, as it has no port).
runner_marker() {
  case "$(kind_of "$1")" in
    trends-runner) printf 'trends runner consuming' ;;
    user-stats-runner) printf 'user-stats runner consuming' ;;
  esac
}

# Polls until runner $1 logged its marker since it was started (0), or exited (1); a runner that was
# already running when this script began counts as ready.
wait_runner() {
  local name=$1 deadline log_file
  log_file="$(log_file_of "$name")"
  deadline="$(deadline_in "$TIMEOUT")"
  while ! grep -q "$(runner_marker "$name")" "$log_file" 2>/dev/null; do
    [[ " ${ALREADY_RUNNING[*]} " == *" $name "* ]] && return 0
    our_pid "$name" >/dev/null || return 1
    before_deadline "$deadline" ||
      die "$name did not start consuming within ${TIMEOUT}s; it is still running (log: $log_file)"
    sleep 0.3
  done
}

ALREADY_RUNNING=()

main() {
  take_lock

  # 1. The servers.
  local infra
  if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" && -n "${MONGODB_URL:-}" ]]; then
    infra=external
    log "using the servers named in the environment: Kafka $KAFKA_BOOTSTRAP_SERVERS, MongoDB ${MONGODB_URL%%\?*}"
  else
    infra=local
    local exports
    exports="$(bash "$REPO_ROOT/scripts/infra/up.sh" 8>&-)" || die "the local servers did not start (see above)"
    eval "$exports"
  fi
  export KAFKA_BOOTSTRAP_SERVERS MONGODB_URL

  # The API's token secret, made once: every API worker (and a restarted API) verifies every token.
  if [[ -z "${CINEMATCH_TOKEN_SECRET:-}" ]]; then
    local secret_file="$STACK_DIR/token-secret"
    if [[ ! -s "$secret_file" ]]; then
      (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64url"))' >"$secret_file.tmp")
      mv -f "$secret_file.tmp" "$secret_file"
      log "generated the API token secret into $secret_file"
    fi
    CINEMATCH_TOKEN_SECRET="$(cat "$secret_file")"
    export CINEMATCH_TOKEN_SECRET
  fi

  # 2. A stack already running elsewhere must not be mixed with this one.
  local recorded
  if our_pid api >/dev/null; then
    recorded="$(stack_env_get PORT || true)"
    [[ -z "$recorded" || "$recorded" == "$PORT" ]] ||
      die "the API is already running on port $recorded, not $PORT; run npm run stack:down first"
  elif port_open "$PORT"; then
    die "port $PORT is taken by another process; free it or set PORT"
  fi
  for name in "${STACK_APPS[@]}"; do
    if our_pid "$name" >/dev/null; then
      recorded="$(stack_env_get MONGODB_URL || true)"
      [[ -z "$recorded" || "$recorded" == "$MONGODB_URL" ]] ||
        die "$name is running against $recorded, not $MONGODB_URL; run npm run stack:down first"
    fi
  done

  {
    printf 'KAFKA_BOOTSTRAP_SERVERS=%s\n' "$KAFKA_BOOTSTRAP_SERVERS"
    printf 'MONGODB_URL=%s\n' "$MONGODB_URL"
    printf 'PORT=%s\n' "$PORT"
    printf 'URL=http://localhost:%s\n' "$PORT"
    printf 'INFRA=%s\n' "$infra"
    printf 'COUNTS=trends:%s user-stats:%s api:%s\n' "$TRENDS_COUNT" "$USER_STATS_COUNT" "$API_COUNT"
  } >"$STACK_ENV.tmp"
  mv -f "$STACK_ENV.tmp" "$STACK_ENV"

  # 3. A catalog to search from the first minute: the demo catalog, only into an empty one.
  if [[ "$DEMO_CATALOG" == auto ]]; then
    log "matching the demo catalog against the stored one (new films are added: about 20 s on FerretDB into an empty one)..."
    node "$REPO_ROOT/apps/cinematch/src/seed-catalog.ts" 8>&- || die "could not load the demo catalog into $MONGODB_URL"
  fi

  # 4. The dashboard the API serves at `/`: built when missing or older than its sources (about
  #    ten seconds; CINEMATCH_WEB_BUILD=never skips it). Without it `/` says "not built yet".
  if ! our_pid api >/dev/null; then
    node "$REPO_ROOT/apps/cinematch/src/build-dashboard.ts" 8>&- ||
      log "no dashboard build: the API runs without it (npm run build -w @cinematch/web)"
  fi

  # 5. The apps: only those not running (a crashed runner is started again).
  local name pid started=0
  for name in "${STACK_APPS[@]}"; do
    if pid="$(our_pid "$name")"; then
      log "$name: already running (pid $pid)"
      ALREADY_RUNNING+=("$name")
    else
      rm -f "$(pid_file_of "$name")"
      start_app "$name"
      started=$((started + 1))
    fi
  done

  # 6. Ready when the API says so (Kafka and MongoDB reachable) and each runner has joined its
  #    consumer group. A runner that dies during start-up is started once more (a fresh database
  #    can fail the first concurrent index creations on FerretDB); twice is an error.
  wait_ready
  for name in "${RUNNERS[@]}"; do
    if ! wait_runner "$name"; then
      log "$name exited during start-up; last lines of its log:"
      tail_log "$(log_file_of "$name")"
      log "$name: starting it once more"
      start_app "$name"
      wait_runner "$name" || {
        tail_log "$(log_file_of "$name")"
        die "$name exited again during start-up (log: $(log_file_of "$name"))"
      }
    fi
  done

  log "$started started, $((${#STACK_APPS[@]} - started)) already running; logs and pids in $STACK_DIR"
  log "stop with: npm run stack:down"
  printf 'CineMatch is up: http://localhost:%s\n' "$PORT"
}

main "$@"
