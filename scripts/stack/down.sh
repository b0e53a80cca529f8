#!/usr/bin/env bash
# Stops the stack `npm run stack:up` started (`npm run stack:down`): the API first (no new
# writes; a cluster stops its workers), then every runner instance (each finishes or abandons its
# batch on SIGTERM), then the local servers (scripts/infra/down.sh). Only the pids in
# .cache/stack/*.pid are touched, and each only after checking that it is still that app of this
# checkout (see our_pid in lib.sh).
#
#   npm run stack:down                      # stop the apps and the local servers
#   npm run stack:down -- --keep-infra      # stop the apps, leave Kafka and FerretDB running
#
# Servers named by the environment at stack:up time (KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL)
# are never stopped. Env: CINEMATCH_STACK_STOP_TIMEOUT (30 s per process before SIGKILL).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEEP_INFRA=0
for arg in "$@"; do
  case "$arg" in
    --keep-infra) KEEP_INFRA=1 ;;
    -h | --help)
      sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$arg' (expected --keep-infra)" ;;
  esac
done
STOP_TIMEOUT="${CINEMATCH_STACK_STOP_TIMEOUT:-30}"
[[ "$STOP_TIMEOUT" =~ ^[0-9]+$ ]] || die "CINEMATCH_STACK_STOP_TIMEOUT must be a number of seconds, got '$STOP_TIMEOUT'"

gone_within() {
  local name=$1 pid=$2 deadline
  deadline="$(deadline_in "$3")"
  while kill -0 "$pid" 2>/dev/null && our_pid "$name" >/dev/null; do
    before_deadline "$deadline" || return 1
    sleep 0.1
  done
}

stop_app() {
  local name=$1 pid_file pid
  pid_file="$(pid_file_of "$name")"
  if [[ ! -e "$pid_file" ]]; then
    log "$name: not running"
    return 0
  fi
  if ! pid="$(our_pid "$name")"; then
    log "$name: recorded pid $(tr -dc '0-9' <"$pid_file") is gone or is not ours; nothing to stop"
    rm -f "$pid_file"
    return 0
  fi
  log "$name: stopping pid $pid..."
  kill -TERM "$pid" 2>/dev/null || true
  if ! gone_within "$name" "$pid" "$STOP_TIMEOUT"; then
    # Check again right before the hard kill: the pid must still be our process.
    if our_pid "$name" >/dev/null; then
      log "$name: still running after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    gone_within "$name" "$pid" 10 || die "$name (pid $pid) survived SIGKILL; pid file kept at $pid_file"
  fi
  rm -f "$pid_file"
  log "$name: stopped"
}

main() {
  if [[ ! -d "$STACK_DIR" ]]; then
    log "nothing to stop ($STACK_DIR does not exist)"
  else
    take_lock
    local infra name
    infra="$(stack_env_get INFRA || true)"
    local names
    mapfile -t names < <(recorded_apps)
    for name in "${names[@]}"; do stop_app "$name"; done
    rm -f "$STACK_ENV"
    if [[ "$infra" == external ]]; then
      log "the servers were named by the environment at stack:up; leaving them alone"
      return 0
    fi
  fi
  if [[ "$KEEP_INFRA" == 1 ]]; then
    log "leaving the local Kafka and MongoDB-wire servers running (--keep-infra)"
  else
    bash "$REPO_ROOT/scripts/infra/down.sh" 8>&-
  fi
}

main
