#!/usr/bin/env bash
# What the container does, without a container runtime: build the wheel, install it into a fresh venv, and run the
# image's entry point (`connector`) as an unprivileged user from a state folder like the image's volume:
# `connector --version`, then setup and a sync against the HubSpot sandbox. Run as root (it switches to nobody).
set -euo pipefail
cd "$(dirname "$0")/.."
# A Python the unprivileged user can run (a pyenv under /root is not one); Debian 12 ships 3.11.
PY=${PY:-/usr/bin/python3}
WORK=$(mktemp -d /tmp/connector-smoke.XXXXXX)
trap 'kill "${SANDBOX_PID:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

$PY -m pip wheel --quiet --no-deps --wheel-dir "$WORK/dist" .
$PY -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet "$WORK"/dist/*.whl
chmod -R a+rX "$WORK"
install -d -o nobody -m 0700 "$WORK/home" "$WORK/home/state"        # the image's /var/lib/connector and its volume

as_user() { (cd "$WORK/home" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
    env -i PATH="$WORK/venv/bin:/usr/bin:/bin" HOME="$WORK/home" "$@"); }

as_user connector --version
PORT=$(as_user python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_user connector sandbox --port "$PORT" > "$WORK/sandbox.log" 2>&1 &
SANDBOX_PID=$!
for _ in $(seq 50); do grep -q HUBSPOT_ACCESS_TOKEN "$WORK/sandbox.log" && break; sleep 0.2; done
TOKEN=$(grep -o 'HUBSPOT_ACCESS_TOKEN=[^ ]*' "$WORK/sandbox.log" | cut -d= -f2)
ENV=(HUBSPOT_ACCESS_TOKEN="$TOKEN" HUBSPOT_BASE_URL="http://127.0.0.1:$PORT" SYNC_LAG_SECONDS=0)
as_user "${ENV[@]}" connector setup > /dev/null
as_user "${ENV[@]}" connector sync --json
test -f "$WORK/home/state/connector.db" && stat -c 'state DB %n owned by %U, mode %a' "$WORK/home/state/connector.db"
echo "smoke test passed: the installed wheel's entry point ran as nobody"
