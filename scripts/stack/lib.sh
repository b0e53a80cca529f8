# Shared by scripts/stack/up.sh and down.sh: the stack's processes, where their pids and logs
# live, and how to tell that a pid is really one of ours. Sourced, never run.

STACK_DIR_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$STACK_DIR_SCRIPTS/../.." && pwd)"
CACHE_ROOT="${CINEMATCH_CACHE_DIR:-$REPO_ROOT/.cache}"
STACK_DIR="$CACHE_ROOT/stack"
# KEY=value lines: the servers and URL of the running stack, for stack:down and `cinematch catalog import`.
STACK_ENV="$STACK_DIR/env"

# The three processes, in start order. Each is started as `node <repo>/apps/<name>/src/main.ts`, so
# `pgrep -af trends-runner` finds it until it renames itself (every app sets process.title to its
# name through runMain: `trends-runner`, `user-stats-runner`, `api`, which `ps` then shows).
STACK_APPS=(trends-runner user-stats-runner api)

log() { printf 'stack: %s\n' "$*" >&2; }
die() {
  printf 'stack: ERROR: %s\n' "$*" >&2
  exit 1
}

entry_of() { printf '%s/apps/%s/src/main.ts' "$REPO_ROOT" "$1"; }
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
  if [[ "$cmdline" != *" $(entry_of "$name")"* ]]; then
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
