#!/usr/bin/env bash
# `npm run bench`: every package's benchmark, one at a time (they measure, so they must not share
# the two cores), against a Kafka broker and a MongoDB-wire server this script starts and stops.
# Benchmarks print figures, ratios and targets; they do not fail on a missed target.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CINEMATCH_SHARED_DIR="${CINEMATCH_SHARED_DIR:-$root/../shared}"

stop_servers() {
  if [ "${CINEMATCH_KEEP_INFRA:-0}" != "1" ]; then bash "$root/scripts/infra/down.sh" >&2 || true; fi
}
trap stop_servers EXIT
eval "$(bash "$root/scripts/infra/up.sh")"
export KAFKA_BOOTSTRAP_SERVERS MONGODB_URL

turbo run bench --concurrency=1 --continue
