#!/usr/bin/env bash
# The one test command (README: `npm test`, which runs this on Node 24): lint, types, the fast
# tier, then the real-server tiers against a Kafka broker and a MongoDB-wire server that this
# script starts (scripts/infra) and stops again, whatever happens.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CINEMATCH_SHARED_DIR="${CINEMATCH_SHARED_DIR:-$root/../shared}"
results="$root/.cache/test-results"
rm -rf "$results" && mkdir -p "$results"
export CINEMATCH_TEST_RESULTS="$results"

step() { printf '\n=== %s\n' "$*" >&2; }

# Every tier runs even when an earlier one fails, so one run shows every failure; the exit code
# still says whether anything failed.
failures=()
run_tier() {
  local name=$1
  shift
  step "$name"
  if ! "$@"; then failures+=("$name"); fi
}

run_tier "lint" biome check .
run_tier "typecheck + unit tier" turbo run typecheck test:unit --concurrency=2 --continue

step "starting the real servers"
stop_servers() {
  if [ "${CINEMATCH_KEEP_INFRA:-0}" != "1" ]; then bash "$root/scripts/infra/down.sh" >&2 || true; fi
}
trap stop_servers EXIT
# A clean slate, so results never depend on what an earlier run left behind.
CINEMATCH_INFRA_WIPE=1 bash "$root/scripts/infra/down.sh" >&2 || true
eval "$(bash "$root/scripts/infra/up.sh")"
export KAFKA_BOOTSTRAP_SERVERS MONGODB_URL

run_tier "integration tier (real Kafka + MongoDB-wire)" turbo run test:int --concurrency=1 --continue
run_tier "end-to-end tier" turbo run test:e2e --concurrency=1 --continue

summary_ok=1
node "$root/scripts/summarize-tests.ts" "$results" || summary_ok=0
if [ ${#failures[@]} -gt 0 ]; then
  printf 'failed tiers: %s\n' "${failures[*]}" >&2
  exit 1
fi
[ "$summary_ok" = 1 ]
