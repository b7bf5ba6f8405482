# Shared helpers for the scripts in script/ (sourced, not run).

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
sudo_maybe() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Builds go to a target folder outside the clone so that reruns (and CI on this machine) are fast.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quick3/target}"
export PATH="$HOME/.cargo/bin:$PATH"

# `npm ci` in DIR when node_modules is missing or older than the lockfile.
npm_ci_if_stale() {
  local dir=$1
  local stamp="$dir/node_modules/.quick3-lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    say "Installing npm packages in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$dir/package-lock.json" "$stamp"
  fi
}

# Builds the UI and the desktop app binary that serves it (never the dev-server build).
build_app() {
  say "Building the UI"
  (cd ui && npm run --silent build >/dev/null)
  say "Building the desktop app (the window and the tray process beside it)"
  cargo build --quiet -p quick3-planner --features quick3-planner/custom-protocol -p quick3-tray
  APP_BIN="$CARGO_TARGET_DIR/debug/quick3-planner"
  export APP_BIN
}
