# Shared by scripts/stack/up.sh and down.sh: the stack's processes, where their pids and logs
# live, and how to tell that a pid is really one of ours. Sourced, never run.

STACK_DIR_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$STACK_DIR_SCRIPTS/../.." && pwd)"
CACHE_ROOT="${CINEMATCH_CACHE_DIR:-$REPO_ROOT/.cache}"
STACK_DIR="$CACHE_ROOT/stack"
# KEY=value lines: the servers and URL of the running stack, for stack:down and `cinematch catalog import`.
STACK_ENV="$STACK_DIR/env"

# The processes are named `trends-runner-<n>`, `user-stats-runner-<n>` (as many as asked, each
# started as `node <repo>/apps/<kind>/src/main.ts` with CINEMATCH_INSTANCE_ID=<name>, and renaming
# itself to that name, which `ps` shows) and `api` (`node <repo>/apps/api/src/main.ts`, or
# `.../cluster.ts` for several API workers on one port). up.sh sets STACK_APPS from its counts.

log() { printf 'stack: %s\n' "$*" >&2; }
die() {
  printf 'stack: ERROR: %s\n' "$*" >&2
  exit 1
}

# The app an instance name belongs to: trends-runner-2 -> trends-runner.
kind_of() {
  case "$1" in
    trends-runner*) printf 'trends-runner' ;;
    user-stats-runner*) printf 'user-stats-runner' ;;
    *) printf '%s' "$1" ;;
  esac
}
entry_of() { printf '%s/apps/%s/src/main.ts' "$REPO_ROOT" "$(kind_of "$1")"; }
cluster_entry() { printf '%s/apps/api/src/cluster.ts' "$REPO_ROOT"; }
# The instances that have a pid file (running or not), API first: what stack:down stops.
recorded_apps() {
  local file name
  [[ -f "$STACK_DIR/api.pid" ]] && printf 'api\n'
  for file in "$STACK_DIR"/*.pid; do
    [[ -e "$file" ]] || continue
    name="$(basename "$file" .pid)"
    [[ "$name" == api ]] || printf '%s\n' "$name"
  done
}
pid_file_of() { printf '%s/%s.pid' "$STACK_DIR" "$1"; }
log_file_of() { printf '%s/%s.log' "$STACK_DIR" "$1"; }

# Prints the pid recorded for app $1 if that process is alive and is that app of this checkout (a
# pid may have been reused by something else since): its command line is
# `node <repo>/apps/$1/src/main.ts`, or, for an app that renames itself (the runners set
# process.title through runMain, which replaces the command line with e.g. `api`), that name with this
# checkout as its working folder.
our_pid() {
  local name=$1 pid_file pid cmdline cwd
  pid_file="$(pid_file_of "$name")"
  [[ -s "$pid_file" ]] || return 1
  pid="$(tr -dc '0-9' <"$pid_file")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  if [[ "$cmdline" != *" $(entry_of "$name")"* && ! ("$name" == api && "$cmdline" == *" $(cluster_entry)"*) ]]; then
    cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || return 1
    [[ "${cmdline%% *}" == "$name" && "$cwd" == "$REPO_ROOT" ]] || return 1
  fi
  # A zombie (exited, not yet reaped) is not running.
  [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ]] || return 1
  printf '%s\n' "$pid"
}

# Holds a lock on the stack folder for the whole run, so two up/down calls never race.
take_lock() {
  mkdir -p "$STACK_DIR"
  exec 8>"$STACK_DIR/.lock"
  flock -w 300 8 || die "another stack:up/stack:down has held $STACK_DIR/.lock for 5 minutes; is one stuck?"
}

now() { date +%s.%N | cut -c1-14; }
before_deadline() { awk -v d="$1" -v n="$(now)" 'BEGIN { exit !(n < d) }'; }
deadline_in() { awk -v n="$(now)" -v t="$1" 'BEGIN { printf "%.3f", n + t }'; }

# Reads KEY from the stack env file.
stack_env_get() {
  [[ -f "$STACK_ENV" ]] || return 1
  sed -n "s/^$1=//p" "$STACK_ENV" | tail -n 1
}
