#!/usr/bin/env bash
# Runs the HTTP benchmark: a private PostgreSQL and Redis in .data/bench, the API built in
# Release in multi-site mode, then bench/Nocturne.Bench against it on loopback.
# Arguments go to the bench tool, e.g. bench/run.sh --sites 200 --seconds 10
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/services.sh"
cd "$NOCTURNE_ROOT"

DATA="$NOCTURNE_ROOT/.data/bench"
PG_PORT=55632
ensure_packages
pg_start "$DATA/pg" "$PG_PORT"
pg_create_db "$DATA/pg" "$PG_PORT" nocturne_bench
export ConnectionStrings__Postgres="$(pg_connection "$DATA/pg" "$PG_PORT" nocturne_bench);Maximum Pool Size=64"
OPERATOR_KEY="bench-operator-key-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export Operator__KeySha256="$(echo -n "$OPERATOR_KEY" | sha256sum | cut -d' ' -f1)"
export Tenancy__BaseDomain=bench.invalid PORT=1437 Cluster__SiloPort=11411 Cluster__GatewayPort=30400
export Logging__LogLevel__Default=Warning

dotnet build src/Api -c Release -v quiet -nologo
dotnet build bench/Nocturne.Bench -c Release -v quiet -nologo
(cd src/Api/bin/Release/net10.0 && dotnet Nocturne.Api.dll migrate >/dev/null)
(cd src/Api/bin/Release/net10.0 && exec dotnet Nocturne.Api.dll) > "$DATA/api.log" 2>&1 &
API_PID=$!
trap 'kill $API_PID 2>/dev/null || true; wait $API_PID 2>/dev/null || true; pg_stop "$DATA/pg"' EXIT
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:1437/health/ready >/dev/null && break; sleep 0.5; done

dotnet bench/Nocturne.Bench/bin/Release/net10.0/Nocturne.Bench.dll --url http://127.0.0.1:1437 --operator-key "$OPERATOR_KEY" --pid "$API_PID" "$@"
