#!/usr/bin/env bash
# Makes sure Debian's headless-capable Chromium is at /usr/bin/chromium (or $CHROMIUM_PATH) for
# the browser tests. Playwright's own browser download cannot reach its host from our machines,
# so the tests drive the distribution's build through playwright-core's `executablePath`.
# Idempotent and quiet: does nothing when the binary is already there; otherwise runs
# `apt-get update` once and installs the `chromium` package. Prints the path on stdout.
set -euo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
say() { printf 'ensure-chromium: %s\n' "$*" >&2; }

if [ -x "$chromium" ]; then
  printf '%s\n' "$chromium"
  exit 0
fi
if [ "$chromium" != /usr/bin/chromium ]; then
  say "CHROMIUM_PATH=$chromium is not an executable file"
  exit 1
fi
command -v apt-get >/dev/null 2>&1 || { say "no $chromium and no apt-get to install it with"; exit 1; }

sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { say "installing chromium needs root (or sudo)"; exit 1; }
  sudo="sudo -n"
fi

# Two test files may call this at once: let one install while the other waits.
lock_dir="${CINEMATCH_CACHE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/.cache}"
mkdir -p "$lock_dir"
exec 9>"$lock_dir/.ensure-chromium.lock"
flock -w 900 9 || { say "another install has held $lock_dir/.ensure-chromium.lock for 15 minutes"; exit 1; }

if [ ! -x "$chromium" ]; then
  say "installing Debian's chromium package (once; this takes a minute or two)"
  log=$(mktemp)
  export DEBIAN_FRONTEND=noninteractive
  if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    say "apt-get could not install chromium"
    exit 1
  fi
  rm -f "$log"
fi

[ -x "$chromium" ] || { say "chromium installed but $chromium is missing"; exit 1; }
printf '%s\n' "$chromium"
