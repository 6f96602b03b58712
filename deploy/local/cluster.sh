#!/usr/bin/env bash
# Three silos on this machine sharing one PostgreSQL and one Redis (Cluster:Mode=Redis):
#   api-1     HTTP 1337, silo 11111, gateway 30000
#   api-2     HTTP 1338, silo 11112, gateway 30001
#   silo-3    headless,  silo 11113, gateway 30002
# PostgreSQL (55432) and Redis (56379) are up.sh's, in .data/; secrets and keys are up.sh's too.
# Logs go to .data/cluster/<name>.log, pids to .data/cluster/<name>.pid.
#   deploy/local/cluster.sh [up]   start (idempotent: running silos are left alone)
#   deploy/local/cluster.sh status
#   deploy/local/cluster.sh down   stop the three silos (deploy/local/down.sh stops the services)
# Across machines it is the same: point every silo at the same ConnectionStrings__Postgres and
# __Redis, give each Cluster__AdvertisedAddress its own reachable address (see README).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$NOCTURNE_ROOT"

DATA="${NOCTURNE_DATA:-$NOCTURNE_ROOT/.data}"
RUN="$DATA/cluster"
PG_PORT="${NOCTURNE_PG_PORT:-55432}"
REDIS_PORT="${NOCTURNE_REDIS_PORT:-56379}"
# name kind http silo gateway
SILOS=("api-1 api 1337 11111 30000" "api-2 api 1338 11112 30001" "silo-3 silo - 11113 30002")

running() { [ -s "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

status() {
  for spec in "${SILOS[@]}"; do
    read -r name kind http _ _ <<<"$spec"
    if running "$name"; then
      echo "$name running (pid $(cat "$RUN/$name.pid"))${http:+ http $http}"
    else
      echo "$name stopped"
    fi
  done
}

down() {
  for spec in "${SILOS[@]}"; do
    read -r name _ <<<"$spec"
    if running "$name"; then
      kill "$(cat "$RUN/$name.pid")"
      log "stopping $name"
    fi
    rm -f "$RUN/$name.pid"
  done
}

secret_file() { # file, generator: keep the same secrets as up.sh
  [ -s "$1" ] || (umask 077; eval "$2" > "$1")
}

up() {
  ensure_packages
  mkdir -p "$RUN"
  pg_start "$DATA/pg" "$PG_PORT"
  pg_create_db "$DATA/pg" "$PG_PORT" nocturne
  redis_start "$DATA/redis" "$REDIS_PORT"
  secret_file "$DATA/api_secret" "head -c 18 /dev/urandom | base64 | tr -d '/+='"
  secret_file "$DATA/operator_key" "head -c 24 /dev/urandom | base64 | tr -d '/+='"
  secret_file "$DATA/token_key" "head -c 32 /dev/urandom | base64"

  export ConnectionStrings__Postgres="$(pg_connection "$DATA/pg" "$PG_PORT" nocturne)"
  export ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT"
  export Cluster__Mode=Redis
  export API_SECRET="${API_SECRET:-$(cat "$DATA/api_secret")}"
  export Operator__KeySha256="${Operator__KeySha256:-$(tr -d '\n' < "$DATA/operator_key" | sha256sum | cut -d' ' -f1)}"
  export AccessTokens__EncryptionKey="${AccessTokens__EncryptionKey:-$(tr -d '\n' < "$DATA/token_key")}"

  dotnet build src/Api -c Release -v quiet -nologo
  dotnet build src/Silo -c Release -v quiet -nologo
  # Schema first, once: silos refuse to start against an older schema.
  (cd src/Api/bin/Release/net10.0 && dotnet Nocturne.Api.dll migrate)

  for spec in "${SILOS[@]}"; do
    read -r name kind http silo gateway <<<"$spec"
    if running "$name"; then
      log "$name already running"
      continue
    fi
    if [ "$kind" = api ]; then
      dir=src/Api/bin/Release/net10.0 dll=Nocturne.Api.dll
    else
      dir=src/Silo/bin/Release/net10.0 dll=Nocturne.Silo.dll
    fi
    # exec: the recorded pid is dotnet's own, so "down" stops exactly this silo.
    (cd "$dir" && PORT="$http" Cluster__SiloPort="$silo" Cluster__GatewayPort="$gateway" \
      exec nohup dotnet "$dll" > "$RUN/$name.log" 2>&1) &
    echo $! > "$RUN/$name.pid"
    log "started $name ($kind, http $http, silo $silo, gateway $gateway); log $RUN/$name.log"
  done

  # Ready when both APIs answer /health/ready (PostgreSQL reachable, silo active).
  for port in 1337 1338; do
    for _ in $(seq 1 120); do
      if curl -fsS "http://127.0.0.1:$port/health/ready" > /dev/null 2>&1; then
        log "http://127.0.0.1:$port ready"
        break
      fi
      sleep 1
    done
  done
  status
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 [up|down|status]" >&2; exit 2 ;;
esac
