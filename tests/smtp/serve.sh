#!/usr/bin/env bash
# Starts a real SMTP server (aiosmtpd) on 127.0.0.1 that stores every message in a Maildir, and
# prints `QUICK3_TEST_SMTP=127.0.0.1:PORT QUICK3_TEST_MAILDIR=DIR` for the tests to read.
# Usage: eval "$(tests/smtp/serve.sh)"   (the server stops with the calling shell's session)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${QUICK3_VENV:-$HOME/.cache/quick3/venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
maildir="$(mktemp -d -t quick3-smtp-XXXXXX)/Maildir"
mkdir -p "$maildir"/{cur,new,tmp}
port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
nohup "$venv/bin/python" -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$maildir" \
  > "$maildir.log" 2>&1 &
for _ in $(seq 1 100); do
  (echo > /dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  sleep 0.1
done
echo "export QUICK3_TEST_SMTP=127.0.0.1:$port QUICK3_TEST_MAILDIR=$maildir QUICK3_TEST_SMTP_PID=$!"
