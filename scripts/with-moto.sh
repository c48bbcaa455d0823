#!/usr/bin/env bash
# Runs a command with a moto server (AWS wire protocols: DynamoDB, S3, SQS,
# SESv2) on a free loopback port, then stops it.
#
# Usage: scripts/with-moto.sh CMD [ARGS...]
#   e.g. scripts/with-moto.sh cargo test -p lethe-aws --features moto-tests
#
# - installs moto[server] from PyPI into a venv (default target/venv-moto;
#   override with LETHE_MOTO_VENV) the first time, reusing it afterwards;
# - starts `moto_server -H 127.0.0.1 -p PORT` on a free port, waits (at most
#   LETHE_MOTO_WAIT seconds, default 30) until it answers;
# - exports LETHE_AWS_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
#   AWS_REGION (moto accepts any credentials; the test ones are fixed);
# - runs CMD, stops moto by its PID on exit (whatever happens), and exits
#   with CMD's status. moto's log goes to target/moto-server.log.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${LETHE_MOTO_VENV:-$root/target/venv-moto}"
moto_spec="${LETHE_MOTO_SPEC:-moto[server]>=5.1,<6}"
log="$root/target/moto-server.log"
wait_secs="${LETHE_MOTO_WAIT:-30}"

mkdir -p "$root/target"

if [ ! -x "$venv/bin/moto_server" ]; then
    echo "==> installing $moto_spec into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$moto_spec"
fi

# A free port on 127.0.0.1, chosen by the kernel. (A tiny race with another
# process is possible; moto failing to bind shows up as "did not answer".)
port="$("$venv/bin/python" - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
)"

"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!

stop_moto() {
    if kill -0 "$moto_pid" 2>/dev/null; then
        kill "$moto_pid" 2>/dev/null || true
        wait "$moto_pid" 2>/dev/null || true
    fi
}
trap stop_moto EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

endpoint="http://127.0.0.1:$port"
deadline=$((SECONDS + wait_secs))
until "$venv/bin/python" - "$endpoint" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1).read()
PY
do
    if ! kill -0 "$moto_pid" 2>/dev/null; then
        echo "moto_server exited early; its log ($log):" >&2
        cat "$log" >&2
        exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        echo "moto_server did not answer on $endpoint within ${wait_secs}s; log: $log" >&2
        exit 1
    fi
    sleep 0.2
done
echo "==> moto_server (pid $moto_pid) on $endpoint" >&2

export LETHE_AWS_ENDPOINT="$endpoint"
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_REGION=eu-west-1
# Keep the SDK from reading a developer's profile or contacting IMDS.
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN

status=0
"$@" || status=$?
exit "$status"
