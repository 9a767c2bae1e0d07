#!/usr/bin/env bash
# Connection bounds of `laurel serve`, checked against a real server on 127.0.0.1 with short
# configured timeouts (--header-read-timeout 3s, --keep-alive-timeout 2s, --max-connections 4):
#   - normal requests work, also several on one kept-alive connection;
#   - an idle kept-alive connection is closed after the keep-alive timeout;
#   - a half-sent request (headers never finished) is closed after the keep-alive timeout;
#   - a client trickling its headers byte by byte is closed by the header-read timeout;
#   - over the maximum, a new connection waits until one closes, then is served;
#   - SIGTERM with a connection open stops the server promptly and cleanly.
# Then a server with the default settings: an idle connection and a half-sent request are
# both closed within 30 s. Exits non-zero on the first failure. CI runs it from .ci/run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --quiet --bin laurel
target_dir="${CARGO_TARGET_DIR:-$root/target}"
laurel="$target_dir/debug/laurel"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start NAME ARGS...: runs `laurel serve` on a free port; sets $port and $server_pid.
start() {
  local name=$1
  shift
  port=$(free_port)
  env -u LAUREL_LISTEN -u LAUREL_CONFIG "$laurel" serve --data-dir "$work/$name" --listen "127.0.0.1:$port" "$@" \
    >"$work/$name.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  python3 - "$port" <<'EOF' || { cat "$work/$name.log"; exit 1; }
import socket, sys, time
port = int(sys.argv[1])
deadline = time.time() + 60
while time.time() < deadline:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            if s.recv(100).startswith(b"HTTP/1.1 200"):
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit("laurel serve did not answer /healthz")
EOF
}

start short --header-read-timeout 3s --keep-alive-timeout 2s --max-connections 4
python3 - "$port" <<'EOF'
import socket, sys, threading, time

port = int(sys.argv[1])
HEADER_READ, KEEP_ALIVE = 3.0, 2.0
SLACK = 1.5  # scheduling and build-machine noise
failures = []

def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)

def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def read_response(s):
    """One response (headers and Content-Length body); None if the server closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = s.recv(4096)
        if not chunk:
            return None
        body += chunk
    return head.decode("latin-1"), body

def closed_after(s, limit):
    """Seconds until the server closes `s` (reads EOF or a reset), or None within `limit`."""
    start = time.monotonic()
    s.settimeout(limit)
    try:
        while s.recv(4096):
            pass
    except socket.timeout:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - start

GET = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"

# Normal requests, three on one kept-alive connection.
s = connect()
for n in range(3):
    s.sendall(GET)
    response = read_response(s)
    check(response is not None and response[0].startswith("HTTP/1.1 200") and response[1] == b"ok",
          f"request {n + 1} on one kept-alive connection is answered 200 ok")
    if response:
        check("x-content-type-options: nosniff" in response[0].lower(), "the response carries nosniff")

# That connection, now idle, is closed after the keep-alive timeout (not long before it).
took = closed_after(s, KEEP_ALIVE + SLACK)
check(took is not None and took >= KEEP_ALIVE - 0.5,
      f"an idle kept-alive connection is closed after the {KEEP_ALIVE:.0f} s keep-alive timeout (took {took})")
s.close()

# A half-sent request: headers never finished.
s = connect()
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Half: ")
took = closed_after(s, KEEP_ALIVE + SLACK)
check(took is not None, f"a half-sent request is closed within {KEEP_ALIVE + SLACK:.1f} s (took {took})")
s.close()

# Headers trickled one byte every 0.4 s: bytes keep moving, so only the header-read timeout
# can end it, and it must, long before the 60 bytes are all sent.
s = connect()
start = time.monotonic()
closed = None
for byte in b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 30:
    try:
        s.sendall(bytes([byte]))
        s.settimeout(0.4)
        if s.recv(4096) == b"":
            closed = time.monotonic() - start
            break
    except socket.timeout:
        continue
    except (BrokenPipeError, ConnectionResetError):
        closed = time.monotonic() - start
        break
    if time.monotonic() - start > HEADER_READ + SLACK + 2:
        break
check(closed is not None and HEADER_READ - 0.5 <= closed <= HEADER_READ + SLACK,
      f"a client trickling its headers is closed by the {HEADER_READ:.0f} s header-read timeout (took {closed})")
s.close()

# Over the maximum: four silent connections hold every slot; a fifth is answered only once
# the keep-alive timeout has closed them.
silent = [connect() for _ in range(4)]
time.sleep(0.2)
start = time.monotonic()
fifth = connect()
fifth.sendall(GET)
fifth.settimeout(KEEP_ALIVE - 0.7)
try:
    early = fifth.recv(4096)
except socket.timeout:
    early = None
check(early is None, "a connection over the maximum waits while the others are open")
fifth.settimeout(KEEP_ALIVE + SLACK + 2)
try:
    data = (early or b"") + fifth.recv(4096)
except socket.timeout:
    data = b""
took = time.monotonic() - start
check(data.startswith(b"HTTP/1.1 200"), f"it is served once a slot frees (after {took:.1f} s)")
for c in silent + [fifth]:
    c.close()

# Still serving normally, from several clients at once.
results = []
def one():
    try:
        with connect() as c:
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            response = read_response(c)
            results.append(response is not None and response[0].startswith("HTTP/1.1 200"))
    except OSError:
        results.append(False)
threads = [threading.Thread(target=one) for _ in range(12)]
for t in threads: t.start()
for t in threads: t.join()
check(len(results) == 12 and all(results), f"12 concurrent requests are all answered 200 ({sum(results)}/12)")

if failures:
    sys.exit(f"{len(failures)} connection check(s) failed")
EOF

# SIGTERM with an idle connection open: a prompt, clean stop.
python3 - "$port" "$server_pid" <<'EOF'
import os, signal, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
s.recv(4096)
os.kill(pid, signal.SIGTERM)
deadline = time.time() + 10
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        break
    # The shell reaps it; a zombie still answers kill 0, so look at its state.
    try:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().split()[2] == "Z":
                break
    except FileNotFoundError:
        break
    time.sleep(0.1)
else:
    sys.exit("FAIL laurel serve did not stop within 10 s of SIGTERM with a connection open")
print("ok   SIGTERM with a kept-alive connection open stops the server within 10 s", flush=True)
EOF
wait "$server_pid" || { echo "FAIL laurel serve exited with $? after SIGTERM"; cat "$work/short.log"; exit 1; }
echo "ok   and it exits with status 0"

# The defaults: idle and half-sent connections closed within 30 s.
start defaults
python3 - "$port" <<'EOF'
import socket, sys, threading, time
port = int(sys.argv[1])
took = {}
def watch(name, first):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(first)
    if first.endswith(b"\r\n\r\n"):
        s.recv(4096)
    start = time.monotonic()
    s.settimeout(30)
    try:
        while s.recv(4096):
            pass
        took[name] = time.monotonic() - start
    except socket.timeout:
        took[name] = None
    except ConnectionResetError:
        took[name] = time.monotonic() - start
threads = [
    threading.Thread(target=watch, args=("an idle", b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")),
    threading.Thread(target=watch, args=("a half-sent", b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Half: ")),
]
for t in threads: t.start()
for t in threads: t.join()
failed = False
for name in ("an idle", "a half-sent"):
    ok = took.get(name) is not None
    failed |= not ok
    print(("ok   " if ok else "FAIL ") + f"with the defaults, {name} connection is closed within 30 s (took {took.get(name)})", flush=True)
sys.exit(1 if failed else 0)
EOF
echo "connection checks passed"
