#!/usr/bin/env bash
# Runs the HTTP benchmark: a private PostgreSQL (fsync on) in .data/bench, the API built in
# Release in multi-site mode, then bench/Nocturne.Bench against it on loopback. First it measures
# the machine's limits: PostgreSQL's single-row commit rate (pgbench, 64 clients, a jsonb row and
# two indexes); the read limits (Kestrel serving a fixed answer of the same size) are measured by
# the bench tool itself, with the same load generator as ours. Prints one table: limit, ours, ratio.
# Arguments go to the bench tool, e.g. bench/run.sh --sites 1000,10000 --seconds 10
# (--phases load,history by default; --phases uploads runs only the load phase's uploads).
# Ports: NOCTURNE_BENCH_PG_PORT (55632), NOCTURNE_BENCH_HTTP_PORT (1437), NOCTURNE_BENCH_FIXED_PORT (1438),
# NOCTURNE_BENCH_SILO_PORT (11411), NOCTURNE_BENCH_GATEWAY_PORT (30400).
# NOCTURNE_BENCH_API_DIR: run an API built before (a copy of src/Api/bin/Release/net10.0) instead of building
# this tree, so that two builds can be compared back to back on the same seeded sites (--run ID).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/services.sh"
cd "$NOCTURNE_ROOT"

DATA="$NOCTURNE_ROOT/.data/bench"
PG_PORT=${NOCTURNE_BENCH_PG_PORT:-55632}
HTTP_PORT=${NOCTURNE_BENCH_HTTP_PORT:-1437}
COMMIT_SECONDS=${NOCTURNE_BENCH_COMMIT_SECONDS:-15}
ensure_packages
pg_start "$DATA/pg" "$PG_PORT"
# A run starts from an empty database unless it reuses an earlier run's sites (--run ID): sites left by
# earlier runs keep their alarm reminders, and their ticks (and after the restart their activations)
# would be measured as part of this run's requests.
case " $* " in *" --run "*) ;; *) PGPASSWORD=$(cat "$DATA/pg.password") "$(pg_bin_dir)/dropdb" -h 127.0.0.1 -p "$PG_PORT" -U nocturne --if-exists nocturne_bench ;; esac
pg_create_db "$DATA/pg" "$PG_PORT" nocturne_bench
export ConnectionStrings__Postgres="$(pg_connection "$DATA/pg" "$PG_PORT" nocturne_bench);Maximum Pool Size=64"
OPERATOR_KEY="bench-operator-key-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export Operator__KeySha256="$(echo -n "$OPERATOR_KEY" | sha256sum | cut -d' ' -f1)"
export Tenancy__BaseDomain=bench.invalid PORT=$HTTP_PORT Cluster__SiloPort=${NOCTURNE_BENCH_SILO_PORT:-11411} Cluster__GatewayPort=${NOCTURNE_BENCH_GATEWAY_PORT:-30400}
export Logging__LogLevel__Default=Warning

# The commit limit: single-row inserts, each its own transaction, 64 clients, as many uploaders would if each wrote alone.
PGBIN=$(pg_bin_dir)
export PGPASSWORD=$(cat "$DATA/pg.password")
"$PGBIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U nocturne -d nocturne_bench -v ON_ERROR_STOP=1 <<'SQL'
DROP TABLE IF EXISTS bench_commit;
CREATE TABLE bench_commit (tenant_id text NOT NULL, identifier text NOT NULL, date_ms bigint NOT NULL, doc jsonb NOT NULL, PRIMARY KEY (tenant_id, identifier));
CREATE INDEX bench_commit_date ON bench_commit (tenant_id, date_ms DESC);
SQL
cat > "$DATA/commit.sql" <<'SQL'
\set site random(0, 999)
INSERT INTO bench_commit VALUES ('site' || :site, gen_random_uuid()::text, (extract(epoch from clock_timestamp()) * 1000)::bigint, '{"type":"sgv","sgv":120,"direction":"Flat","device":"bench","dateString":"2026-11-29T07:06:40.000Z","utcOffset":0}');
SQL
COMMIT_LIMIT=$(timeout $((COMMIT_SECONDS + 60)) "$PGBIN/pgbench" -n -h 127.0.0.1 -p "$PG_PORT" -U nocturne -c 64 -j 2 -T "$COMMIT_SECONDS" -f "$DATA/commit.sql" nocturne_bench 2>/dev/null \
  | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
"$PGBIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U nocturne -d nocturne_bench -c "DROP TABLE bench_commit"
echo "limit: PostgreSQL single-row commits (pgbench, 64 clients, ${COMMIT_SECONDS} s): ${COMMIT_LIMIT:-?} tps"

API_DIR=${NOCTURNE_BENCH_API_DIR:-$NOCTURNE_ROOT/src/Api/bin/Release/net10.0}
[ -n "${NOCTURNE_BENCH_API_DIR:-}" ] || dotnet build src/Api -c Release -v quiet -nologo
# dotnet-gcdump forces a full GC in the server before each memory reading ("GC settled") and reports the heap by type.
GCDUMP="$DATA/tools/dotnet-gcdump"
[ -x "$GCDUMP" ] || timeout 300 dotnet tool install --tool-path "$DATA/tools" dotnet-gcdump --version 10.0.750501 >/dev/null || echo "dotnet-gcdump not installed: memory is read without a full GC first"
dotnet build bench/Nocturne.Bench -c Release -v quiet -nologo
(cd "$API_DIR" && dotnet Nocturne.Api.dll migrate >/dev/null)
(cd "$API_DIR" && exec dotnet Nocturne.Api.dll) > "$DATA/api.log" 2>&1 &
API_PID=$!
# The bench restarts the API to time the sites becoming live again; it writes the new process id here.
echo $API_PID > "$DATA/api.pid"
trap 'kill $API_PID $(cat "$DATA/api.pid") 2>/dev/null || true; wait $API_PID 2>/dev/null || true; pg_stop "$DATA/pg"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null && break; sleep 0.5; done

timeout "${NOCTURNE_BENCH_TIMEOUT:-3600}" dotnet bench/Nocturne.Bench/bin/Release/net10.0/Nocturne.Bench.dll --url "http://127.0.0.1:$HTTP_PORT" --operator-key "$OPERATOR_KEY" \
  --pid "$API_PID" --commit-limit "${COMMIT_LIMIT:-NaN}" --fixed-port "${NOCTURNE_BENCH_FIXED_PORT:-1438}" \
  --gcdump "$GCDUMP" --restart-api-dir "$API_DIR" --pid-file "$DATA/api.pid" --pg-data "$DATA/pg" \
  --psql "$PGBIN/psql" --pg-port "$PG_PORT" "$@"
