#!/usr/bin/env bash
# Connector benchmark: a private PostgreSQL in .data/bench, then bench/Nocturne.ConnectorBench
# (a silo with N connector grains, a mixed population of all eight kinds, against the tests' fake
# vendor clouds from tests/Nocturne.FakeVendors on loopback) in Release.
# Arguments go to the bench, e.g. bench/connectors.sh --connectors 1000 --rounds 3 [--kinds dexcom,tidepool]
# Ports: NOCTURNE_BENCH_PG_PORT (55633), NOCTURNE_BENCH_SILO_PORT (11511), NOCTURNE_BENCH_GATEWAY_PORT (30500).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/services.sh"
cd "$NOCTURNE_ROOT"

DATA="$NOCTURNE_ROOT/.data/bench"
PG_PORT="${NOCTURNE_BENCH_PG_PORT:-55633}"
ensure_packages
pg_start "$DATA/pg-connectors" "$PG_PORT"
trap 'pg_stop "$DATA/pg-connectors"' EXIT
pg_create_db "$DATA/pg-connectors" "$PG_PORT" nocturne_bench
export ConnectionStrings__Postgres="$(pg_connection "$DATA/pg-connectors" "$PG_PORT" nocturne_bench);Maximum Pool Size=64"

dotnet build bench/Nocturne.ConnectorBench -c Release -v quiet -nologo
dotnet bench/Nocturne.ConnectorBench/bin/Release/net10.0/Nocturne.ConnectorBench.dll "$@"
