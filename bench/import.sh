#!/usr/bin/env bash
# Times a MongoDB import of a whole site: a private PostgreSQL in .data/bench, the API in Release,
# jongodb (the npm in-memory MongoDB-wire server test.sh installs) seeded with a year of 5-minute
# CGM and treatments, then POST /api/admin/tenants/{site}/imports until it reports finished.
# Arguments go to the bench tool, e.g. bench/import.sh --entries 105000 --treatments 8760
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/services.sh"
cd "$NOCTURNE_ROOT"

DATA="$NOCTURNE_ROOT/.data/bench-import"
PG_PORT=45633
MONGO_PORT=47633
JONGODB="$NOCTURNE_ROOT/.data/jongodb"
JONGODB_BIN="$JONGODB/node_modules/@jongodb/memory-server-bin-linux-x64-gnu/bin/jongodb"
ensure_packages
if [ ! -x "$JONGODB_BIN" ]; then
  timeout 300 npm install --prefix "$JONGODB" --no-audit --no-fund --loglevel=error @jongodb/memory-server-bin-linux-x64-gnu@0.1.6 >/dev/null
fi
pg_start "$DATA/pg" "$PG_PORT"
pg_create_db "$DATA/pg" "$PG_PORT" nocturne_bench
export ConnectionStrings__Postgres="$(pg_connection "$DATA/pg" "$PG_PORT" nocturne_bench);Maximum Pool Size=64"
OPERATOR_KEY="bench-operator-key-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export Operator__KeySha256="$(echo -n "$OPERATOR_KEY" | sha256sum | cut -d' ' -f1)"
export Tenancy__BaseDomain=bench.invalid PORT=1438 Cluster__SiloPort=11412 Cluster__GatewayPort=30401
export Logging__LogLevel__Default=Warning

dotnet build src/Api -c Release -v quiet -nologo
dotnet build bench/Nocturne.ImportBench -c Release -v quiet -nologo
(cd src/Api/bin/Release/net10.0 && dotnet Nocturne.Api.dll migrate >/dev/null)
"$JONGODB_BIN" --host=127.0.0.1 --port=$MONGO_PORT > "$DATA/jongodb.log" 2>&1 &
MONGO_PID=$!
(cd src/Api/bin/Release/net10.0 && exec dotnet Nocturne.Api.dll) > "$DATA/api.log" 2>&1 &
API_PID=$!
trap 'kill $API_PID $MONGO_PID 2>/dev/null || true; wait $API_PID $MONGO_PID 2>/dev/null || true; pg_stop "$DATA/pg"' EXIT
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:1438/health/ready >/dev/null && break; sleep 0.5; done

dotnet bench/Nocturne.ImportBench/bin/Release/net10.0/Nocturne.ImportBench.dll --url http://127.0.0.1:1438 --operator-key "$OPERATOR_KEY" --mongo "mongodb://127.0.0.1:$MONGO_PORT" "$@"
