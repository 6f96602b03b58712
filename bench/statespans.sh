#!/usr/bin/env bash
# StateSpans benchmark: a private PostgreSQL in .data/bench-spans, the API built in Release in
# multi-site mode, then bench/Nocturne.StateSpansBench against it on loopback.
# Arguments go to the bench tool, e.g. bench/statespans.sh --seconds 20 --concurrency 8
# Ports are free ones picked here unless NOCTURNE_BENCH_{PG,HTTP,SILO,GATEWAY}_PORT say otherwise;
# the whole run (build excluded) is bounded by NOCTURNE_BENCH_TIMEOUT seconds (default 1800).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/services.sh"
cd "$NOCTURNE_ROOT"

# A port nobody listens on now (the kernel's choice), or the given one if it is free.
port() {
  local wanted="${1:-}"
  python3 - "$wanted" <<'PY'
import socket, sys
wanted = int(sys.argv[1]) if sys.argv[1] else 0
s = socket.socket()
try:
    s.bind(("127.0.0.1", wanted))
except OSError:
    sys.exit(f"port {wanted} is in use; set another or unset the variable to pick a free one")
print(s.getsockname()[1])
s.close()
PY
}

DATA="$NOCTURNE_ROOT/.data/bench-spans"
PG_PORT="$(port "${NOCTURNE_BENCH_PG_PORT:-}")"
HTTP_PORT="$(port "${NOCTURNE_BENCH_HTTP_PORT:-}")"
SILO_PORT="$(port "${NOCTURNE_BENCH_SILO_PORT:-}")"
GATEWAY_PORT="$(port "${NOCTURNE_BENCH_GATEWAY_PORT:-}")"
BOUND="${NOCTURNE_BENCH_TIMEOUT:-1800}"
log "ports: PostgreSQL $PG_PORT, HTTP $HTTP_PORT, silo $SILO_PORT, gateway $GATEWAY_PORT"

ensure_packages
dotnet build src/Api -c Release -v quiet -nologo
dotnet build bench/Nocturne.StateSpansBench -c Release -v quiet -nologo

pg_start "$DATA/pg" "$PG_PORT"
API_PID=""
trap '[ -n "$API_PID" ] && { kill $API_PID 2>/dev/null || true; wait $API_PID 2>/dev/null || true; }; pg_stop "$DATA/pg"' EXIT
pg_create_db "$DATA/pg" "$PG_PORT" nocturne_bench
export ConnectionStrings__Postgres="$(pg_connection "$DATA/pg" "$PG_PORT" nocturne_bench);Maximum Pool Size=64"
OPERATOR_KEY="bench-operator-key-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export Operator__KeySha256="$(echo -n "$OPERATOR_KEY" | sha256sum | cut -d' ' -f1)"
export Tenancy__BaseDomain=bench.invalid PORT="$HTTP_PORT" LISTEN_ADDRESS=127.0.0.1 Cluster__SiloPort="$SILO_PORT" Cluster__GatewayPort="$GATEWAY_PORT"
export Cluster__ServiceId="bench-spans-$HTTP_PORT" Logging__LogLevel__Default=Warning
unset ASPNETCORE_URLS

(cd src/Api/bin/Release/net10.0 && dotnet Nocturne.Api.dll migrate >/dev/null)
(cd src/Api/bin/Release/net10.0 && exec dotnet Nocturne.Api.dll) > "$DATA/api.log" 2>&1 &
API_PID=$!
ready=""
for _ in $(seq 1 240); do
  kill -0 "$API_PID" 2>/dev/null || { tail -20 "$DATA/api.log" >&2; log "the API exited before it was ready (log above)"; exit 1; }
  curl -sf "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null && { ready=1; break; }
  sleep 0.5
done
[ -n "$ready" ] || { tail -20 "$DATA/api.log" >&2; log "the API was not ready within 120 s"; exit 1; }
# Make sure the server on the port is the one started here (it knows this run's operator key).
status=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Operator-Key: $OPERATOR_KEY" "http://127.0.0.1:$HTTP_PORT/api/admin/tenants")
[ "$status" = 200 ] || { log "GET /api/admin/tenants answered $status: another server on port $HTTP_PORT?"; exit 1; }

timeout "$BOUND" dotnet bench/Nocturne.StateSpansBench/bin/Release/net10.0/Nocturne.StateSpansBench.dll \
  --url "http://127.0.0.1:$HTTP_PORT" --operator-key "$OPERATOR_KEY" "$@"
