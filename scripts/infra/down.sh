#!/usr/bin/env bash
# Stops the servers scripts/infra/up.sh started, and nothing else: only the pids recorded in
# its pid files, and only after checking that each pid's command line is really ours (a pid
# may have been reused since). Safe to run again when nothing is running.
#
#   bash scripts/infra/down.sh           # stop; keep data for the next up.sh
#   bash scripts/infra/down.sh --wipe    # stop and delete the data dirs (also CINEMATCH_INFRA_WIPE=1)
#
# Env: CINEMATCH_CACHE_DIR, CINEMATCH_INFRA_STOP_TIMEOUT (seconds per server before SIGKILL, 30).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WIPE="${CINEMATCH_INFRA_WIPE:-0}"
for arg in "$@"; do
  case "$arg" in
    --wipe) WIPE=1 ;;
    -h | --help)
      sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$arg' (expected --wipe)" ;;
  esac
done
STOP_TIMEOUT="${CINEMATCH_INFRA_STOP_TIMEOUT:-30}"
[[ "$STOP_TIMEOUT" =~ ^[0-9]+$ ]] || die "CINEMATCH_INFRA_STOP_TIMEOUT must be a number of seconds, got '$STOP_TIMEOUT'"

# Polls for the process to be gone, up to $2 seconds.
wait_gone() {
  local pid=$1 deadline
  deadline="$(awk -v n="$(now)" -v t="$2" 'BEGIN { printf "%.3f", n + t }')"
  while kill -0 "$pid" 2>/dev/null; do
    before_deadline "$deadline" || return 1
    sleep 0.1
  done
}

# SIGTERM first: Kafka then shuts down in a controlled way (its logs stay clean, the next
# start skips log recovery) and FerretDB closes its SQLite files. SIGKILL only if that hangs.
stop_one() {
  local name=$1 pid_file=$2 port_file=$3 marker=$4 pid t0
  if [[ ! -e "$pid_file" ]]; then
    log "$name: not running"
    return 0
  fi
  if ! pid="$(our_pid "$pid_file" "$marker")"; then
    log "$name: recorded pid $(tr -dc '0-9' <"$pid_file") is gone or is not ours; nothing to stop"
    rm -f "$pid_file" "$port_file"
    return 0
  fi
  t0="$(now)"
  log "$name: stopping pid $pid..."
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" "$STOP_TIMEOUT"; then
    # Check again before the hard kill: the pid must still be our server.
    if our_pid "$pid_file" "$marker" >/dev/null; then
      log "$name: still running after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait_gone "$pid" 10 || die "$name (pid $pid) survived SIGKILL; pid file kept at $pid_file"
  fi
  rm -f "$pid_file" "$port_file"
  log "$name: stopped in $(elapsed_since "$t0")s"
}

main() {
  if [[ ! -d "$CACHE" ]]; then
    log "nothing to stop ($CACHE does not exist)"
    return 0
  fi
  take_lock
  # Both at once: each takes about 2 s to shut down cleanly.
  local kafka_job ferretdb_job rc=0
  stop_one Kafka "$KAFKA_PID" "$KAFKA_PORT_FILE" "$KAFKA_MARKER" &
  kafka_job=$!
  stop_one FerretDB "$FERRETDB_PID" "$FERRETDB_PORT_FILE" "$FERRETDB_MARKER" &
  ferretdb_job=$!
  wait "$kafka_job" || rc=1
  wait "$ferretdb_job" || rc=1
  ((rc == 0)) || die "not everything stopped (see above); data left in place"
  if [[ "$WIPE" == 1 ]]; then
    # Only the data: the installed jars and binary stay, so the next up.sh is still fast.
    rm -rf "$KAFKA_DATA" "$FERRETDB_DATA"
    log "wiped $KAFKA_DATA and $FERRETDB_DATA"
  fi
}

main
