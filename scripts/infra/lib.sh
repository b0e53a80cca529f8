# shellcheck shell=bash disable=SC2034 # the paths below are used by up.sh and down.sh
# Shared by up.sh and down.sh: where things live, which ports, and how to tell that a server
# is ours and answering. Sourced, never run.

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$INFRA_DIR/../.." && pwd)"

# Everything up.sh writes (jars, the FerretDB binary, data, logs, pid files) stays under one
# git-ignored folder, so a test run never touches anything else on the machine.
# Made absolute: the pid checks match paths in the servers' command lines, so up.sh and
# down.sh must spell them the same wherever they are run from.
CACHE="$(realpath -m "${CINEMATCH_CACHE_DIR:-$REPO_ROOT/.cache}")/infra"

KAFKA_PORT="${CINEMATCH_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${CINEMATCH_KAFKA_CONTROLLER_PORT:-19093}"
MONGO_PORT="${CINEMATCH_MONGO_PORT:-27027}"
# Ports that stay clear of a developer's own Kafka (9092) and MongoDB (27017).

KAFKA_HOME="$CACHE/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_CONFIG="$KAFKA_HOME/server.properties"
KAFKA_LOG="$KAFKA_HOME/server.log"
KAFKA_PID="$KAFKA_HOME/kafka.pid"
KAFKA_PORT_FILE="$KAFKA_HOME/kafka.port"
KAFKA_DATA="$CACHE/kafka-data"

FERRETDB_HOME="$CACHE/ferretdb"
FERRETDB_BIN="$FERRETDB_HOME/bin/cinematch-ferretdb"
FERRETDB_LOG="$FERRETDB_HOME/server.log"
FERRETDB_PID="$FERRETDB_HOME/ferretdb.pid"
FERRETDB_PORT_FILE="$FERRETDB_HOME/ferretdb.port"
FERRETDB_DATA="$CACHE/ferretdb-data"

log() { printf 'infra: %s\n' "$*" >&2; }
die() { printf 'infra: ERROR: %s\n' "$*" >&2; exit 1; }

check_port_var() {
  local name=$1 value=$2
  if [[ ! "$value" =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
    die "$name must be a TCP port number, got '$value'"
  fi
}
check_port_var CINEMATCH_KAFKA_PORT "$KAFKA_PORT"
check_port_var CINEMATCH_KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
check_port_var CINEMATCH_MONGO_PORT "$MONGO_PORT"

# up.sh and down.sh hold this lock (on fd 9) for their whole run: two test runners calling
# up.sh at once must not both start a broker on the same data dir. The servers must be
# started with fd 9 closed (9>&-), or they would hold the lock for as long as they run.
LOCK_FILE="$CACHE/up-down.lock"
take_lock() {
  mkdir -p "$CACHE"
  exec 9>"$LOCK_FILE"
  if ! flock -w 300 9; then
    die "another up.sh/down.sh has held $LOCK_FILE for 5 minutes; is one stuck? (fuser -v $LOCK_FILE shows who)"
  fi
}

# A monotonic-enough clock in seconds with millis, for deadlines and timings.
now() { date +%s.%N | cut -c1-14; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
before_deadline() { awk -v d="$1" -v n="$(now)" 'BEGIN { exit !(n < d) }'; }

# Prints the pid recorded in $1 if that process is alive and its command line contains $2 (a
# path unique to this cache), so we never act on a recycled pid that belongs to someone else.
# Returns 1 (printing nothing) otherwise.
our_pid() {
  local pid_file=$1 marker=$2 pid cmdline
  [[ -s "$pid_file" ]] || return 1
  pid="$(tr -dc '0-9' <"$pid_file")"
  [[ -n "$pid" ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$marker"* ]] || return 1
  printf '%s\n' "$pid"
}

# The markers our_pid looks for: the broker is `java ... kafka.Kafka <cache>/kafka/server.properties`
# and FerretDB is our binary run from the cache.
KAFKA_MARKER="kafka.Kafka $KAFKA_CONFIG"
FERRETDB_MARKER="$FERRETDB_BIN --listen-addr="

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

hex_of() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
# A Kafka STRING: int16 length, then the bytes.
kafka_string() { printf '%04x%s' "${#1}" "$(hex_of "$1")"; }

# Sends one Kafka request (api key, version, body as hex) and prints the answer as hex,
# without its size prefix. Uses request header v1 and only non-flexible API versions, so
# every field has a fixed, simple encoding (big-endian ints, int16-length strings).
kafka_call() {
  local port=$1 api_key=$2 api_version=$3 body=$4
  (
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    local req len
    # api_key | api_version | correlation_id=1 | client_id="ready" | body
    req="$(printf '%04x%04x' "$api_key" "$api_version")00000001$(printf '%04x' 5)$(hex_of ready)$body"
    req="$(printf '%08x' $((${#req} / 2)))$req"
    # shellcheck disable=SC2001 # hex pairs to \xHH escapes needs a regex
    printf '%b' "$(sed 's/../\\x&/g' <<<"$req")" >&3
    len="$(timeout 2 head -c 4 <&3 | od -An -v -tx1 | tr -d ' \n')"
    [[ ${#len} -eq 8 ]] || exit 1
    timeout 2 head -c $((16#$len)) <&3 | od -An -v -tx1 | tr -d ' \n'
  ) 2>/dev/null
}

# Partitions of __consumer_offsets and __transaction_state (written into server.properties).
KAFKA_INTERNAL_TOPIC_PARTITIONS=5

# Ready means what a client's first steps need, not just an open port:
#  1. Kafka accepts TCP before it serves requests, and serves Metadata before its broker is
#     unfenced: a Metadata v4 answer must list at least one broker.
#  2. The group and transaction coordinators must be up. On a fresh data dir their internal
#     topics are only created on first use, and after every start their partitions load in
#     the background; meanwhile kafkajs logs "The group coordinator is not available" and
#     "The coordinator is loading", and its first consumer crashes and restarts. Asking
#     FindCoordinator creates the topics; then an OffsetFetch and an InitProducerId must
#     answer without error for one key on every partition. A key's partition is its Java
#     hashCode modulo the partition count, and keys that differ only in a last digit have
#     consecutive hashCodes, so warmup-0 .. warmup-(N-1) hit all N partitions.
KAFKA_WARMUP_KEY="cinematch-infra-warmup"
kafka_ready() {
  local port=$1 answer key i
  # Metadata v4, topics=[] (none), allow_auto_topic_creation=false.
  # Answer: correlation_id(4) throttle_time_ms(4) brokers count(4) ...
  answer="$(kafka_call "$port" 3 4 0000000000)" || return 1
  [[ ${#answer} -ge 24 ]] && ((16#${answer:16:8} >= 1)) || return 1
  key="$(kafka_string "$KAFKA_WARMUP_KEY-0")"
  # FindCoordinator v1, key_type 0 (group) then 1 (transaction).
  # Answer: correlation_id(4) throttle_time_ms(4) error_code(2) ...
  answer="$(kafka_call "$port" 10 1 "${key}00")" || return 1
  [[ "${answer:16:4}" == 0000 ]] || return 1
  answer="$(kafka_call "$port" 10 1 "${key}01")" || return 1
  [[ "${answer:16:4}" == 0000 ]] || return 1
  for ((i = 0; i < KAFKA_INTERNAL_TOPIC_PARTITIONS; i++)); do
    key="$(kafka_string "$KAFKA_WARMUP_KEY-$i")"
    # OffsetFetch v2, topics=[]. Answer: correlation_id(4) topics count(4) error_code(2).
    answer="$(kafka_call "$port" 9 2 "${key}00000000")" || return 1
    [[ "${answer:16:4}" == 0000 ]] || return 1
    # InitProducerId v1, transaction timeout 60 s.
    # Answer: correlation_id(4) throttle_time_ms(4) error_code(2) ...
    answer="$(kafka_call "$port" 22 1 "${key}0000ea60")" || return 1
    [[ "${answer:16:4}" == 0000 ]] || return 1
  done
  # InitProducerId v1 without a transactional id, as an idempotent producer starts. After a
  # restart the warm-up ids above keep their producer ids, so only this makes the broker
  # fetch a fresh block of ids from the controller (until then: "coordinator is loading").
  answer="$(kafka_call "$port" 22 1 "ffff0000ea60")" || return 1
  [[ "${answer:16:4}" == 0000 ]]
}

# FerretDB is ready when it answers a wire-protocol `ping` with ok: 1.
mongo_ready() {
  local port=$1
  (
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    # OP_MSG (opcode 2013), 51 bytes: header(len, requestID=1, responseTo=0, opcode),
    # flagBits=0, one kind-0 section holding the BSON document {ping: 1, $db: "admin"}.
    local header='\x33\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xdd\x07\x00\x00'
    # shellcheck disable=SC2016 # "$db" is the BSON field name, not a variable
    local body='\x00\x00\x00\x00\x00\x1e\x00\x00\x00\x10ping\x00\x01\x00\x00\x00\x02$db\x00\x06\x00\x00\x00admin\x00\x00'
    printf '%b' "$header$body" >&3
    len="$(timeout 2 head -c 4 <&3 | od -An -v -tu4 | tr -d ' \n')"
    [[ "$len" =~ ^[0-9]+$ ]] && ((len > 16 && len < 65536)) || exit 1
    hex="$(timeout 2 head -c $((len - 4)) <&3 | od -An -v -tx1 | tr -d ' \n')"
    # A double (0x01) field "ok" (6f 6b 00) equal to 1.0 (00 00 00 00 00 00 f0 3f, little-endian).
    [[ "$hex" == *016f6b00000000000000f03f* ]]
  ) 2>/dev/null
}

tail_log() {
  local file=$1
  if [[ -s "$file" ]]; then
    printf '%s\n' "----- last 40 lines of $file -----" >&2
    tail -n 40 "$file" >&2
    printf '%s\n' "-----" >&2
  else
    printf '%s\n' "($file is empty or missing)" >&2
  fi
}
