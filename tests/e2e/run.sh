#!/usr/bin/env bash
# Runs the end-to-end tests: starts tauri-driver (which drives WebKitWebDriver, which starts the
# real app binary) and node's test runner. Expects a display (xvfb-run) and a private D-Bus
# session (dbus-run-session); script/test provides both.
set -euo pipefail
cd "$(dirname "$0")"
: "${APP_BIN:?APP_BIN must name the app binary built with the custom protocol}"
: "${QUICK3_CLI_BIN:?QUICK3_CLI_BIN must name the quick3 CLI binary}"
export QUICK3_E2E_PORT="${QUICK3_E2E_PORT:-4444}"
mkdir -p artifacts

tauri-driver --port "$QUICK3_E2E_PORT" --native-port $((QUICK3_E2E_PORT + 1)) \
  --native-driver "$(command -v WebKitWebDriver)" > artifacts/tauri-driver.log 2>&1 &
driver=$!
trap 'kill $driver 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (echo > /dev/tcp/127.0.0.1/"$QUICK3_E2E_PORT") 2>/dev/null && break
  sleep 0.1
done
node --test --test-concurrency=1 ./*.test.mjs
