#!/usr/bin/env bash
# Times the import of a whole site: a private PostgreSQL in .data/bench-import, the API in Release,
# jongodb (the npm in-memory MongoDB-wire server test.sh installs) seeded with a year of 5-minute CGM
# and treatments, then POST /api/admin/tenants/{site}/imports until it reports finished, then the same
# site imported again over its own API (v3 history) into a second site.
# Arguments go to the bench tool, e.g. bench/import.sh --entries 105000 --treatments 8760 --devicestatus 0
# Seeding a year takes minutes: jongodb's inserts are quadratic in a collection's size (see docs/benchmarks.md).
# Unattended and bounded: every port is configurable (and checked free first), the whole run is cut
# off after NOCTURNE_BENCH_TIMEOUT seconds (default 1800), and everything started here is stopped.
#   NOCTURNE_BENCH_PG_PORT (45633) NOCTURNE_BENCH_MONGO_PORT (47633) NOCTURNE_BENCH_API_PORT (1438)
#   NOCTURNE_BENCH_SILO_PORT (11412) NOCTURNE_BENCH_GATEWAY_PORT (30401)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/services.sh"
cd "$NOCTURNE_ROOT"

DATA="$NOCTURNE_ROOT/.data/bench-import"
PG_PORT="${NOCTURNE_BENCH_PG_PORT:-45633}"
MONGO_PORT="${NOCTURNE_BENCH_MONGO_PORT:-47633}"
API_PORT="${NOCTURNE_BENCH_API_PORT:-1438}"
SILO_PORT="${NOCTURNE_BENCH_SILO_PORT:-11412}"
GATEWAY_PORT="${NOCTURNE_BENCH_GATEWAY_PORT:-30401}"
DEADLINE=$(( $(date +%s) + ${NOCTURNE_BENCH_TIMEOUT:-1800} ))
left() { local n=$(( DEADLINE - $(date +%s) )); [ "$n" -gt 0 ] && echo "$n" || echo 1; }

for port in "$PG_PORT" "$MONGO_PORT" "$API_PORT" "$SILO_PORT" "$GATEWAY_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "port $port is in use; choose free ones with the NOCTURNE_BENCH_*_PORT variables"
    exit 2
  fi
done

JONGODB="$NOCTURNE_ROOT/.data/jongodb"
JONGODB_BIN="$JONGODB/node_modules/@jongodb/memory-server-bin-linux-x64-gnu/bin/jongodb"
ensure_packages
if [ ! -x "$JONGODB_BIN" ]; then
  timeout 300 npm install --prefix "$JONGODB" --no-audit --no-fund --loglevel=error @jongodb/memory-server-bin-linux-x64-gnu@0.1.6 >/dev/null
fi
mkdir -p "$DATA"
API_PID="" MONGO_PID=""
stop_all() {
  for pid in $API_PID $MONGO_PID; do kill "$pid" 2>/dev/null || true; done
  for pid in $API_PID $MONGO_PID; do wait "$pid" 2>/dev/null || true; done
  pg_stop "$DATA/pg"
}
trap stop_all EXIT
pg_start "$DATA/pg" "$PG_PORT"
pg_create_db "$DATA/pg" "$PG_PORT" nocturne_bench
export ConnectionStrings__Postgres="$(pg_connection "$DATA/pg" "$PG_PORT" nocturne_bench);Maximum Pool Size=64"
OPERATOR_KEY="bench-operator-key-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export Operator__KeySha256="$(echo -n "$OPERATOR_KEY" | sha256sum | cut -d' ' -f1)"
export Tenancy__BaseDomain=bench.invalid PORT="$API_PORT" Cluster__SiloPort="$SILO_PORT" Cluster__GatewayPort="$GATEWAY_PORT"
export Logging__LogLevel__Default=Warning
# The API import reads the first site back over loopback.
export Connectors__AllowPrivateNightscoutUrls=true

timeout "$(left)" dotnet build src/Api -c Release -v quiet -nologo
timeout "$(left)" dotnet build bench/Nocturne.ImportBench -c Release -v quiet -nologo
(cd src/Api/bin/Release/net10.0 && timeout "$(left)" dotnet Nocturne.Api.dll migrate >/dev/null)
"$JONGODB_BIN" --host=127.0.0.1 --port="$MONGO_PORT" > "$DATA/jongodb.log" 2>&1 &
MONGO_PID=$!
# The importer's own timing line (a name with dots cannot be exported by bash, env passes it).
(cd src/Api/bin/Release/net10.0 && exec env 'Logging__LogLevel__Nocturne.Grains.Import=Information' dotnet Nocturne.Api.dll) > "$DATA/api.log" 2>&1 &
API_PID=$!
ready=""
for _ in $(seq 1 240); do
  if curl -sf "http://127.0.0.1:$API_PORT/health/ready" >/dev/null; then ready=1; break; fi
  kill -0 "$API_PID" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then
  log "the API did not become ready; see $DATA/api.log"
  tail -20 "$DATA/api.log" >&2 || true
  exit 1
fi

timeout "$(left)" dotnet bench/Nocturne.ImportBench/bin/Release/net10.0/Nocturne.ImportBench.dll \
  --url "http://127.0.0.1:$API_PORT" --operator-key "$OPERATOR_KEY" --mongo "mongodb://127.0.0.1:$MONGO_PORT" "$@"
# Where the import's time went, per collection (reading the source, checks, the patient grain's writes, cursors).
grep -a "Import into site" "$DATA/api.log" | sed 's/^[^I]*Import/Import/' || true
