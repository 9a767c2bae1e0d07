#!/usr/bin/env bash
# Sign-in under attack, against a real `laurel serve` on a scratch data folder (CI runs it from
# .ci/run). Accounts are made and disabled with the command line. Then, from several loopback
# addresses (127.0.0.x, each a different client to the per-address limit):
#  - refusals look alike: an unknown username, a wrong password, a disabled account and an
#    account that must wait get the same status and page, and each takes about as long as a
#    real password check (no fast path that tells them apart);
#  - 40 sign-ins at once on one account, 39 wrong and then the right one: the right one does
#    not get in, and exactly the free failures were counted (no lost updates);
#  - after the wait, the right password works (a wait, not a lock);
#  - one address guessing many accounts must wait too, while other addresses are not held up.
# Exits non-zero on the first failed check.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --quiet --bin laurel
target_dir="${CARGO_TARGET_DIR:-$root/target}"
laurel="$target_dir/debug/laurel"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
origin="http://127.0.0.1:$port"
data="$work/laurel-data"
password='the right password, long enough'
for name in staff victim gone; do
  LAUREL_USER_PASSWORD="$password" "$laurel" user create --admin "$name" --data-dir "$data" 2>/dev/null
done
"$laurel" user disable gone --data-dir "$data" 2>/dev/null
if "$laurel" user disable nobody --data-dir "$data" 2>/dev/null; then
  echo "FAIL: disabling an unknown account succeeded"; exit 1
fi
"$laurel" serve --data-dir "$data" --listen "127.0.0.1:$port" --public-url "$origin" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS "$origin/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$origin/readyz" >/dev/null || { cat "$work/serve.log"; exit 1; }

python3 - "$port" "$password" "$laurel" "$data" <<'PY'
import http.client, re, statistics, subprocess, sys, threading, time, urllib.parse

port, password, laurel, data = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

def check(condition, message):
    if not condition:
        print(f"FAIL: {message}")
        sys.exit(1)
    print(f"ok   {message}")

def failed_count(username):
    """The FAILED SIGN-INS column of `laurel user list`, as the store holds it."""
    listed = subprocess.run([laurel, "user", "list", "--data-dir", data], check=True,
                            capture_output=True, text=True).stdout
    for line in listed.splitlines()[1:]:
        cells = line.split()
        if cells[0] == username:
            return int(cells[4])
    raise SystemExit(f"FAIL: no account {username} in: {listed}")

def connection(source):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=(source, 0))

def form_page(source):
    c = connection(source)
    c.request("GET", "/console/sign-in")
    r = c.getresponse()
    body = r.read().decode()
    cookie = next(v.split(";")[0] for k, v in r.getheaders()
                  if k.lower() == "set-cookie" and v.startswith("laurel_sign_in="))
    c.close()
    return re.search(r'name="csrf" value="([^"]+)"', body).group(1), cookie

def sign_in(source, username, secret, prepared=None):
    """Posts the sign-in form from `source`: (status, page with its one-time parts blanked,
    seconds taken, session cookie or None)."""
    csrf, cookie = prepared or form_page(source)
    body = urllib.parse.urlencode({"csrf": csrf, "username": username, "password": secret})
    c = connection(source)
    started = time.monotonic()
    c.request("POST", "/console/sign-in", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    r = c.getresponse()
    page = r.read().decode()
    elapsed = time.monotonic() - started
    session = next((v.split(";")[0] for k, v in r.getheaders()
                    if k.lower() == "set-cookie" and v.startswith("laurel_session=")), None)
    if session:
        c.request("GET", "/console", headers={"Cookie": session})
        console = c.getresponse()
        check(console.status == 200 and f"Signed in as <strong>{username}</strong>" in console.read().decode(),
              f"{username}'s new session opens the console")
    c.close()
    fresh = re.search(r'name="csrf" value="([^"]+)"', page)
    if fresh:
        page = page.replace(fresh.group(1), "CSRF")
    return r.status, page.replace(f'value="{username}"', 'value="NAME"'), elapsed, session

# 1. Refusals look alike (from 127.0.0.2, within its free failures).
samples = {"wrong password": [], "unknown username": [], "disabled account": []}
answers = set()
for _ in range(3):
    for case, (user, secret) in {"wrong password": ("staff", "not the right password"),
                                 "unknown username": ("nobody", password),
                                 "disabled account": ("gone", password)}.items():
        status, page, elapsed, session = sign_in("127.0.0.2", user, secret)
        check(status == 401 and session is None, f"{case}: refused with 401")
        answers.add((status, page))
        samples[case].append(elapsed)
check(len(answers) == 1, "unknown, wrong and disabled get the very same page")
refusal = answers.pop()
check("Wrong username or password" in refusal[1], "the page says so in plain words")

# 2. Forty at once on one account from 127.0.0.3: 39 wrong, then the right one.
prepared = [form_page("127.0.0.3") for _ in range(40)]
results = [None] * 40
go = threading.Event()
def attempt(i):
    go.wait()
    if i == 39:
        time.sleep(0.2)  # the right one last, while the others are still in flight
    results[i] = sign_in("127.0.0.3", "victim", password if i == 39 else f"guess number {i}", prepared[i])
threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
for t in threads:
    t.start()
go.set()
for t in threads:
    t.join()
check(results[39][0] == 401 and results[39][3] is None, "the right password, sent during the attack, did not get in")
check(all((r[0], r[1]) == refusal and r[3] is None for r in results), "all 40 got the one refusal")
check(failed_count("victim") == 5, "exactly the 5 free failures were counted out of 39 at once; the rest waited")

# 3. An account that must wait. Two more failures from a fresh address, each after the wait
#    before it, push its wait past four seconds; then the right password from another fresh
#    address gets the same refusal, as slowly as a real check, and is not even counted.
for count in (6, 7):
    time.sleep(3.1 if count == 7 else 2.1)
    sign_in("127.0.0.5", "victim", "one more guess")
    check(failed_count("victim") == count, f"after the wait, one more guess was checked and counted ({count})")
samples["account must wait"] = []
for _ in range(3):
    status, page, elapsed, session = sign_in("127.0.0.4", "victim", password)
    check((status, page) == refusal and session is None, "the right password while the account waits: the same refusal")
    samples["account must wait"].append(elapsed)
check(failed_count("victim") == 7, "attempts refused while the account waits are not checked or counted")
medians = {case: statistics.median(times) for case, times in samples.items()}
print("     median seconds: " + ", ".join(f"{case} {m:.3f}" for case, m in medians.items()))
reference = medians["wrong password"]
for case, m in medians.items():
    check(0.4 * reference <= m <= 4 * reference, f"{case}: as slow as a password check")

# 4. After the wait the right password works, from the attacking address too: a wait, not a lock.
time.sleep(5.5)
status, page, elapsed, session = sign_in("127.0.0.3", "victim", password)
check(status == 303 and session, "after the wait, the right password signs in")
check(failed_count("victim") == 0, "signing in starts the account's count again")

# 5. One address guessing many accounts (127.0.0.6) must wait after its free failures,
#    whatever the account; other addresses are not held up; after the wait it may go on.
for n in range(10):
    status, *_ = sign_in("127.0.0.6", f"guess{n}", password)
    check(status == 401, f"guess {n} from one address refused")
status, page, elapsed, session = sign_in("127.0.0.6", "staff", password)
check((status, page) == refusal and session is None, "the guessing address must wait, even with a right password")
check(failed_count("staff") == 3, "its refused attempt did not count against the account")
status, page, elapsed, session = sign_in("127.0.0.7", "staff", password)
check(status == 303 and session, "another address is not held up")
time.sleep(2.5)
status, page, elapsed, session = sign_in("127.0.0.6", "staff", password)
check(status == 303 and session, "after its wait, the guessing address may sign in")
print("sign-in hardening: all checks passed")
PY
