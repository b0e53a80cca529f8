#!/usr/bin/env bash
# `npm run bench:peer`: installs the Spark peer on first use (install.sh), starts the servers when
# KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL are unset (and stops them again afterwards), then runs
# peer-bench.ts, which prints the side-by-side table. Not part of CI or of `npm run bench`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export CINEMATCH_SHARED_DIR="${CINEMATCH_SHARED_DIR:-$root/../shared}"
SEED_SPARK_CACHE="$(bash "$here/install.sh")"
export SEED_SPARK_CACHE

started_infra=0
stop_servers() {
  if [[ "$started_infra" == 1 && "${CINEMATCH_KEEP_INFRA:-0}" != 1 ]]; then bash "$root/scripts/infra/down.sh" >&2 || true; fi
}
trap stop_servers EXIT
if [[ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" || -z "${MONGODB_URL:-}" ]]; then
  started_infra=1
  eval "$(bash "$root/scripts/infra/up.sh")"
fi
export KAFKA_BOOTSTRAP_SERVERS MONGODB_URL
node "$here/peer-bench.ts"
