#!/usr/bin/env bash
# StateSpans benchmark: a private PostgreSQL in .data/bench-spans, the API built in Release in
# multi-site mode, then bench/Nocturne.StateSpansBench against it on loopback.
# Arguments go to the bench tool, e.g. bench/statespans.sh --seconds 20 --concurrency 8
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/services.sh"
cd "$NOCTURNE_ROOT"

DATA="$NOCTURNE_ROOT/.data/bench-spans"
PG_PORT="${NOCTURNE_BENCH_PG_PORT:-55633}"
ensure_packages
pg_start "$DATA/pg" "$PG_PORT"
pg_create_db "$DATA/pg" "$PG_PORT" nocturne_bench
export ConnectionStrings__Postgres="$(pg_connection "$DATA/pg" "$PG_PORT" nocturne_bench);Maximum Pool Size=64"
OPERATOR_KEY="bench-operator-key-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export Operator__KeySha256="$(echo -n "$OPERATOR_KEY" | sha256sum | cut -d' ' -f1)"
HTTP_PORT="${NOCTURNE_BENCH_HTTP_PORT:-1438}"
export Tenancy__BaseDomain=bench.invalid PORT="$HTTP_PORT" Cluster__SiloPort="${NOCTURNE_BENCH_SILO_PORT:-11412}" Cluster__GatewayPort="${NOCTURNE_BENCH_GATEWAY_PORT:-30401}"
export Logging__LogLevel__Default=Warning

dotnet build src/Api -c Release -v quiet -nologo
dotnet build bench/Nocturne.StateSpansBench -c Release -v quiet -nologo
(cd src/Api/bin/Release/net10.0 && dotnet Nocturne.Api.dll migrate >/dev/null)
(cd src/Api/bin/Release/net10.0 && exec dotnet Nocturne.Api.dll) > "$DATA/api.log" 2>&1 &
API_PID=$!
trap 'kill $API_PID 2>/dev/null || true; wait $API_PID 2>/dev/null || true; pg_stop "$DATA/pg"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null && break; sleep 0.5; done

dotnet bench/Nocturne.StateSpansBench/bin/Release/net10.0/Nocturne.StateSpansBench.dll --url "http://127.0.0.1:$HTTP_PORT" --operator-key "$OPERATOR_KEY" "$@"
