#!/usr/bin/env bash
# Conformance: Microsoft's MSAL for Python and msgraph-sdk, unmodified, against the emulator.
# Usage: tests/conformance/run.sh [path/to/m365-emulator] [extra pytest args...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${QUICK3_VENV:-$HOME/.cache/quick3/venv}"
binary="${1:-${CARGO_TARGET_DIR:-$root/target}/debug/m365-emulator}"
if [ "$#" -gt 0 ]; then shift; fi
if [ ! -x "$binary" ]; then
    echo "m365-emulator binary not found at $binary (build it: cargo build -p m365-emulator)" >&2
    exit 2
fi
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
cd "$here"
M365_EMULATOR_BIN="$binary" exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$here" "$@"
