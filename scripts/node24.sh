#!/bin/sh
# Runs a command on Node 24 LTS with the workspace's dependencies installed.
# Machines of our kind ship Node 20 (end of life); Node 24 comes from the npm registry's
# `node` package into the ignored cache, so a fresh clone needs nothing installed by hand.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cache="${CINEMATCH_CACHE_DIR:-$root/.cache}"

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 24 ]; then
  node24="$cache/node24/node_modules/node/bin"
  if [ ! -x "$node24/node" ]; then
    echo "[node24] installing Node 24 LTS from the npm registry into $cache/node24" >&2
    mkdir -p "$cache/node24"
    # The `node` package fetches its platform binary in a preinstall script; that is the point of it.
    npm install --prefix "$cache/node24" --no-audit --no-fund --loglevel=error node@24 >&2
  fi
  PATH="$node24:$PATH"
  export PATH
fi

# (Re)install dependencies when the lockfile changed since the last install.
stamp="$root/node_modules/.cinematch-installed"
if [ ! -f "$stamp" ] || [ "$root/package-lock.json" -nt "$stamp" ]; then
  echo "[node24] installing dependencies (npm ci)" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
  touch "$stamp"
fi

PATH="$root/node_modules/.bin:$PATH"
export PATH
exec "$@"
