#!/usr/bin/env bash
# Runs schemathesis (`st`) from a virtual environment of its own under the ignored cache, installing
# it from PyPI on first use (or when the pinned version changes): `bash scripts/schemathesis/st.sh run ...`.
# Env: CINEMATCH_CACHE_DIR (.cache), CINEMATCH_PYTHON (python3; 3.10+).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version="4.32.5"
venv="${CINEMATCH_CACHE_DIR:-$root/.cache}/schemathesis/venv-$version"
python="${CINEMATCH_PYTHON:-python3}"

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock -w 600 9
# The marker is written last: a half-finished install (a killed run) is started again.
if [[ ! -f "$venv/.installed" ]]; then
  command -v "$python" >/dev/null || { echo "schemathesis: $python is missing (Python 3.10+)" >&2; exit 1; }
  echo "schemathesis: installing $version from PyPI into $venv ..." >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version" >&2
  touch "$venv/.installed"
fi
exec 9>&-
exec "$venv/bin/st" "$@"
