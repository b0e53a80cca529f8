#!/usr/bin/env bash
# Installs the Spark peer on first use, under the git-ignored cache (nothing system-wide):
#   - a Python venv with pyspark and pymongo from PyPI ($CACHE/venv),
#   - the Kafka source of Structured Streaming and its runtime jars from Maven Central ($CACHE/jars).
# Prints the cache folder on stdout; progress goes to stderr. Reinstalls when the pinned versions
# (the pom's spark.version, PYMONGO_SPEC below) change.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
CACHE="$(realpath -m "${CINEMATCH_CACHE_DIR:-$root/.cache}")/seed-spark"
SPARK_VERSION="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$here/pom.xml")"
PYMONGO_SPEC="pymongo>=4.6,<5"

log() { printf 'seed-spark: %s\n' "$*" >&2; }
die() { printf 'seed-spark: ERROR: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is missing (Python 3.10+)"
command -v java >/dev/null || die "java is missing (Spark $SPARK_VERSION needs Java 17+: apt-get install openjdk-17-jre-headless)"
command -v mvn >/dev/null || die "mvn is missing (apt-get install maven)"
mkdir -p "$CACHE"

want_py="pyspark==$SPARK_VERSION $PYMONGO_SPEC"
if [[ "$(cat "$CACHE/venv.stamp" 2>/dev/null)" != "$want_py" ]]; then
  log "installing $want_py into $CACHE/venv (one-off; pyspark is a ~450 MB source archive)..."
  rm -rf "$CACHE/venv"
  python3 -m venv "$CACHE/venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  # shellcheck disable=SC2086 # two requirement words
  if ! "$CACHE/venv/bin/pip" install --disable-pip-version-check -q $want_py >"$CACHE/pip.log" 2>&1; then
    tail -n 30 "$CACHE/pip.log" >&2
    die "pip could not install $want_py (full log: $CACHE/pip.log)"
  fi
  printf '%s' "$want_py" >"$CACHE/venv.stamp"
fi

pyspark_jars="$("$CACHE/venv/bin/python" -c 'import os, pyspark; print(os.path.join(os.path.dirname(pyspark.__file__), "jars"))')"
[[ -d "$pyspark_jars" ]] || die "pyspark has no jars folder at $pyspark_jars"

want_jars="$(sha256sum "$here/pom.xml" "$here/maven-settings.xml" | sha256sum | cut -c1-16)"
if [[ "$(cat "$CACHE/jars.stamp" 2>/dev/null)" != "$want_jars" ]]; then
  log "gathering spark-sql-kafka-0-10 $SPARK_VERSION and its runtime jars from Maven Central (one-off)..."
  rm -rf "$CACHE/jars.tmp" "$CACHE/jars"
  if ! mvn -B -q -s "$here/maven-settings.xml" -f "$here/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$CACHE/jars.tmp" >"$CACHE/mvn.log" 2>&1; then
    tail -n 30 "$CACHE/mvn.log" >&2
    die "Maven could not gather the connector jars (full log: $CACHE/mvn.log)"
  fi
  mkdir -p "$CACHE/jars"
  # Only what pyspark lacks: a second copy of a jar it ships (Hadoop, slf4j, lz4...) in another
  # version would clash on the class path.
  for jar in "$CACHE"/jars.tmp/*.jar; do
    name="$(basename "$jar" .jar)"
    artifact="${name%-*}"
    if compgen -G "$pyspark_jars/$artifact-[0-9]*.jar" >/dev/null; then continue; fi
    cp "$jar" "$CACHE/jars/"
  done
  rm -rf "$CACHE/jars.tmp"
  printf '%s' "$want_jars" >"$CACHE/jars.stamp"
fi
log "ready: $(ls "$CACHE/jars" | tr '\n' ' ')"
printf '%s\n' "$CACHE"
