#!/usr/bin/env bash
# Runs Nocturne on this machine: PostgreSQL (127.0.0.1:55432) and Redis (127.0.0.1:56379)
# in .data/, the schema applied, then the API (with its co-hosted silo) on http://127.0.0.1:1337.
# Idempotent: a second run reuses the data. Stop the services with deploy/local/down.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$NOCTURNE_ROOT"

DATA="${NOCTURNE_DATA:-$NOCTURNE_ROOT/.data}"
PG_PORT="${NOCTURNE_PG_PORT:-55432}"
REDIS_PORT="${NOCTURNE_REDIS_PORT:-56379}"

ensure_packages
pg_start "$DATA/pg" "$PG_PORT"
pg_create_db "$DATA/pg" "$PG_PORT" nocturne
redis_start "$DATA/redis" "$REDIS_PORT"

export ConnectionStrings__Postgres="$(pg_connection "$DATA/pg" "$PG_PORT" nocturne)"
export ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT"

# A first run needs an API secret; keep a generated one (hashed copies only leave this file).
if [ -z "${API_SECRET:-}" ]; then
  [ -s "$DATA/api_secret" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$DATA/api_secret")
  export API_SECRET="$(cat "$DATA/api_secret")"
  log "API_SECRET is in $DATA/api_secret"
fi

# The operator API (/api/admin/tenants) and the tenant CLI need an operator key; the server
# only ever sees its SHA-256.
if [ -z "${Operator__KeySha256:-}" ]; then
  [ -s "$DATA/operator_key" ] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$DATA/operator_key")
  export Operator__KeySha256="$(tr -d '\n' < "$DATA/operator_key" | sha256sum | cut -d' ' -f1)"
  log "operator key is in $DATA/operator_key"
fi

# Subjects' access tokens are kept encrypted with this key so that admins can list them again;
# losing it only hides existing tokens from listings (they keep working).
if [ -z "${AccessTokens__EncryptionKey:-}" ]; then
  [ -s "$DATA/token_key" ] || (umask 077; head -c 32 /dev/urandom | base64 > "$DATA/token_key")
  export AccessTokens__EncryptionKey="$(tr -d '\n' < "$DATA/token_key")"
  log "access-token encryption key is in $DATA/token_key"
fi

# Connector credentials (vendor passwords, tokens) are encrypted with this key; it never goes
# into the database, so keep it (and back it up) apart from PostgreSQL's data.
if [ -z "${Connectors__CredentialKey:-}" ]; then
  [ -s "$DATA/connector_key" ] || (umask 077; head -c 32 /dev/urandom | base64 > "$DATA/connector_key")
  export Connectors__CredentialKey="$(tr -d '\n' < "$DATA/connector_key")"
  log "connector credential key is in $DATA/connector_key"
fi

build_web || true
dotnet build src/Api -c Release -v quiet -nologo
cd src/Api/bin/Release/net10.0
dotnet Nocturne.Api.dll migrate
log "starting Nocturne on http://127.0.0.1:${PORT:-1337}"
exec dotnet Nocturne.Api.dll
