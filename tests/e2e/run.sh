#!/usr/bin/env bash
# Runs the end-to-end tests: starts tauri-driver (which drives WebKitWebDriver, which starts the
# real app binary) and node's test runner. Expects a display (xvfb-run) and a private D-Bus
# session (dbus-run-session); script/test provides both.
set -euo pipefail
cd "$(dirname "$0")"
: "${APP_BIN:?APP_BIN must name the app binary built with the custom protocol}"
: "${QUICK3_CLI_BIN:?QUICK3_CLI_BIN must name the quick3 CLI binary}"
# Free ports of this machine's choosing, so that two runs (or anything on 4444) never collide.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export QUICK3_E2E_PORT="${QUICK3_E2E_PORT:-$(free_port)}"
native_port="$(free_port)"
mkdir -p artifacts

# Desktop files and MIME defaults written by the app (it registers quickplanner:// at run time)
# and the test keyring go to a throwaway home for XDG data, not the user's.
xdg_home=$(mktemp -d)
export XDG_DATA_HOME="$xdg_home/data" XDG_CONFIG_HOME="$xdg_home/config"
mkdir -p "$XDG_DATA_HOME/applications" "$XDG_CONFIG_HOME"

# A real Secret Service for the refresh tokens, unlocked before the app touches it (a locked one
# answers every call with "no storage access").
eval "$(printf quick3-test | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null

# The system browser: URLs the app opens are recorded here (see fake-browser/xdg-open).
export QUICK3_E2E_BROWSER_LOG="$PWD/artifacts/browser.log"
: > "$QUICK3_E2E_BROWSER_LOG"
export PATH="$PWD/fake-browser:$PATH"

# A real SMTP server on loopback for Settings → E-mail (script/test starts one already).
smtp_pid=
if [ -z "${QUICK3_TEST_SMTP:-}" ]; then
  eval "$(../smtp/serve.sh)"
  smtp_pid=$QUICK3_TEST_SMTP_PID
fi

tauri-driver --port "$QUICK3_E2E_PORT" --native-port "$native_port" \
  --native-driver "$(command -v WebKitWebDriver)" > artifacts/tauri-driver.log 2>&1 &
driver=$!
trap 'kill $driver $smtp_pid 2>/dev/null || true; rm -rf "$xdg_home"' EXIT
for _ in $(seq 1 100); do
  (echo > /dev/tcp/127.0.0.1/"$QUICK3_E2E_PORT") 2>/dev/null && break
  sleep 0.1
done
# Arguments name test files to run (default: all).
if [ $# -gt 0 ]; then tests=("$@"); else tests=(./*.test.mjs); fi
node --test --test-concurrency=1 "${tests[@]}"
