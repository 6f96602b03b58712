#!/usr/bin/env bash
# Runs every test: starts a throw-away PostgreSQL (127.0.0.1:55532) and Redis (127.0.0.1:56479)
# in .data/test, runs the .NET tests (and the Rust crate's tests when present), stops the
# services and prints the totals as a last line "N passed, N failed".
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
set +e  # keep going after a failing test run so that the totals are always printed
cd "$NOCTURNE_ROOT"

DATA="$NOCTURNE_ROOT/.data/test"
PG_PORT="${NOCTURNE_TEST_PG_PORT:-55532}"
REDIS_PORT="${NOCTURNE_TEST_REDIS_PORT:-56479}"

cleanup() {
  redis_stop "$DATA/redis" || true
  pg_stop "$DATA/pg" || true
}
trap cleanup EXIT

ensure_packages browser
cleanup
rm -rf "$DATA"
mkdir -p "$DATA"
# Test classes run in parallel, each with its own hosts and connection pools.
NOCTURNE_PG_FSYNC=off NOCTURNE_PG_MAX_CONNECTIONS=1000 pg_start "$DATA/pg" "$PG_PORT"
pg_create_db "$DATA/pg" "$PG_PORT" nocturne_test
redis_start "$DATA/redis" "$REDIS_PORT"

export NOCTURNE_TEST_POSTGRES="$(pg_connection "$DATA/pg" "$PG_PORT" nocturne_test)"
export NOCTURNE_TEST_REDIS="127.0.0.1:$REDIS_PORT"
export NOCTURNE_TEST_DATA="$DATA"

# The fake Dexcom Share is checked against the real share2nightscout-bridge from npm (pinned; kept
# outside .data/test so that it is installed once).
BRIDGE="$NOCTURNE_ROOT/.data/share2nightscout-bridge"
if [ ! -f "$BRIDGE/node_modules/share2nightscout-bridge/index.js" ]; then
  # Bounded: a registry that does not answer must not hold the whole run (the test then fails, visibly).
  timeout 300 npm install --prefix "$BRIDGE" --no-audit --no-fund --loglevel=error share2nightscout-bridge@0.2.12 >/dev/null \
    || log "npm install of share2nightscout-bridge failed or timed out"
fi
export NOCTURNE_SHARE_BRIDGE="$BRIDGE/node_modules/share2nightscout-bridge"

# The fake CareLink is checked the same way against minimed-connect-to-nightscout's own mapping (pinned).
MINIMED="$NOCTURNE_ROOT/.data/minimed-connect-to-nightscout"
if [ ! -f "$MINIMED/node_modules/minimed-connect-to-nightscout/transform.js" ]; then
  timeout 300 npm install --prefix "$MINIMED" --no-audit --no-fund --loglevel=error minimed-connect-to-nightscout@1.5.8 >/dev/null \
    || log "npm install of minimed-connect-to-nightscout failed or timed out"
fi
export NOCTURNE_MINIMED_CONNECT="$MINIMED/node_modules/minimed-connect-to-nightscout"

# The MongoDB import is tested against a real MongoDB-wire server: jongodb's in-memory server (pinned,
# a native binary inside the npm package), started by the tests on loopback.
JONGODB="$NOCTURNE_ROOT/.data/jongodb"
JONGODB_BIN="$JONGODB/node_modules/@jongodb/memory-server-bin-linux-x64-gnu/bin/jongodb"
if [ ! -x "$JONGODB_BIN" ]; then
  timeout 300 npm install --prefix "$JONGODB" --no-audit --no-fund --loglevel=error @jongodb/memory-server-bin-linux-x64-gnu@0.1.6 >/dev/null \
    || log "npm install of @jongodb/memory-server-bin-linux-x64-gnu failed or timed out"
fi
export NOCTURNE_TEST_MONGO_SERVER="$JONGODB_BIN"

# The browser tests drive the built web app with Debian's chromium through playwright-core (pinned).
build_web || true
BROWSER_TOOLS="$NOCTURNE_ROOT/.data/browser-tools"
if [ ! -f "$BROWSER_TOOLS/node_modules/playwright-core/package.json" ]; then
  timeout 300 npm install --prefix "$BROWSER_TOOLS" --no-audit --no-fund --loglevel=error playwright-core@1.65.1 >/dev/null \
    || log "npm install of playwright-core failed or timed out"
fi
export NOCTURNE_PLAYWRIGHT="$BROWSER_TOOLS/node_modules/playwright-core"
export NOCTURNE_CHROMIUM="$(command -v chromium || true)"

# The Socket.IO endpoint is checked with the real socket.io-client from npm (pinned, installed once).
SOCKET_IO_CLIENT="$NOCTURNE_ROOT/.data/socket.io-client"
if [ ! -f "$SOCKET_IO_CLIENT/node_modules/socket.io-client/package.json" ]; then
  timeout 300 npm install --prefix "$SOCKET_IO_CLIENT" --no-audit --no-fund --loglevel=error socket.io-client@4.8.1 >/dev/null \
    || log "npm install of socket.io-client failed or timed out"
fi
export NOCTURNE_SOCKET_IO_CLIENT="$SOCKET_IO_CLIENT/node_modules/socket.io-client"

passed=0
failed=0

# The fault tests run the headless silo as a process they can kill; built here rather than referenced
# by the tests, so that its appsettings.json (Redis clustering) stays out of the test binaries.
dotnet build src/Silo/Nocturne.Silo.csproj --nologo -v quiet >/dev/null || log "building src/Silo failed"
dotnet test Nocturne.sln --nologo -v quiet --logger "trx;LogFileName=dotnet.trx" --results-directory "$DATA/results" "$@"
dotnet_rc=$?
trx="$DATA/results/dotnet.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(echo "$counters" | grep -o 'passed="[0-9]*"' | grep -o '[0-9]*')
  f=$(echo "$counters" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "${f:-0}" -gt 0 ] && command -v python3 >/dev/null 2>&1; then
    # CI keeps only the console: print each failure's message and the top of its stack.
    python3 - "$trx" <<'PY' || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for result in ET.parse(sys.argv[1]).getroot().iter("{%s}UnitTestResult" % ns["t"]):
    if result.get("outcome") != "Failed":
        continue
    message = result.find(".//t:Message", ns)
    stack = result.find(".//t:StackTrace", ns)
    print("FAILED " + result.get("testName"))
    print("  " + ((message.text or "") if message is not None else "")[:1200].replace("\n", "\n  "))
    lines = ((stack.text or "") if stack is not None else "").splitlines()
    # The top says what failed; our own frames below it say which request or call led there.
    ours = [l for l in lines[6:] if "Nocturne." in l][:6]
    print("  " + "\n  ".join(lines[:6] + (["  ..."] + ours if ours else [])))
PY
  fi
fi
if [ "$dotnet_rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
  # The run itself broke (build error, crashed host): count it as a failure, never as a pass.
  failed=$((failed + 1))
fi

if [ -f oref-rs/Cargo.toml ]; then
  cargo_out=$(cd oref-rs && cargo test --release 2>&1)
  cargo_rc=$?
  echo "$cargo_out" | tail -20
  while read -r line; do
    p=$(echo "$line" | grep -o '[0-9]* passed' | grep -o '[0-9]*')
    f=$(echo "$line" | grep -o '[0-9]* failed' | grep -o '[0-9]*')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
  done < <(echo "$cargo_out" | grep '^test result:')
  if [ "$cargo_rc" -ne 0 ] && ! echo "$cargo_out" | grep -q '^test result: FAILED'; then
    failed=$((failed + 1))
  fi
fi

# Stop the services before the summary so that it is the last line printed.
trap - EXIT
cleanup
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
