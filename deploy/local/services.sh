#!/usr/bin/env bash
# Shared helpers: install, start and stop a project-local PostgreSQL and Redis on 127.0.0.1.
# Sourced by up.sh, down.sh and test.sh; also usable directly:
#   deploy/local/services.sh pg-start DIR PORT | pg-stop DIR | redis-start DIR PORT | redis-stop DIR
set -euo pipefail

NOCTURNE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# MSBuild builds oref-rs with cargo; rustup installs it where only login shells look.
if [ -d "$HOME/.cargo/bin" ]; then PATH="$HOME/.cargo/bin:$PATH"; fi

log() { echo "[nocturne] $*" >&2; }

# Installs what the project needs from Debian if it is missing (fresh machine or CI).
# "ensure_packages browser" adds chromium, which only the web app's browser tests need.
ensure_packages() {
  local missing=()
  if [ "${1:-}" = "browser" ]; then command -v chromium >/dev/null 2>&1 || missing+=(chromium); fi
  pg_bin_dir >/dev/null 2>&1 || missing+=(postgresql)
  # As root the server runs as the postgres user, which the Debian package creates.
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then missing+=(postgresql); fi
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  # oref-rs is built by MSBuild with cargo, offline, from Debian's source crates.
  command -v cargo >/dev/null 2>&1 || missing+=(cargo)
  # The fake Dexcom Share is checked against share2nightscout-bridge (npm).
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  local crate
  for crate in serde serde-derive serde-json; do
    dpkg -s "librust-$crate-dev" >/dev/null 2>&1 || missing+=("librust-$crate-dev")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      log "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root"; exit 1
    fi
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# Builds the web app (web/ -> web/dist, served by the API) from the pinned npm packages; bounded,
# so that a registry that does not answer cannot hold a run. A failed build leaves the API without
# its pages (it says so on "/"), never without its API.
build_web() {
  local web="$NOCTURNE_ROOT/web"
  if [ ! -d "$web/node_modules/uplot" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
    (cd "$web" && timeout 300 npm ci --no-audit --no-fund --loglevel=error >/dev/null) || { log "npm ci in web/ failed or timed out"; return 1; }
  fi
  (cd "$web" && timeout 120 node build.mjs >/dev/null) || { log "building the web app failed"; return 1; }
}

pg_bin_dir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] && [ -x "$d/initdb" ] || return 1
  echo "$d"
}

# PostgreSQL refuses to run as root: the data folder then belongs to the postgres user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_start DIR PORT: creates the cluster on first use (password auth, loopback only) and starts it.
# The generated superuser password is kept in DIR.password (mode 600, ignored by git).
pg_start() {
  local dir port="$2" bin
  dir=$(realpath -m "$1")
  bin=$(pg_bin_dir)
  mkdir -p "$(dirname "$dir")"
  if [ ! -s "$dir/PG_VERSION" ]; then
    log "creating PostgreSQL cluster in $dir"
    mkdir -p "$dir"
    [ -s "$dir.password" ] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$dir.password")
    local pwfile; pwfile=$(mktemp); cp "$dir.password" "$pwfile"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir" "$pwfile"; fi
    chmod 700 "$dir"
    as_pg "$bin/initdb" -D "$dir" -U nocturne --pwfile="$pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
  fi
  if as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    return 0
  fi
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=${NOCTURNE_PG_FSYNC:-on}" start >/dev/null
  log "PostgreSQL up on 127.0.0.1:$port"
}

pg_stop() {
  local dir bin
  dir=$(realpath -m "$1")
  bin=$(pg_bin_dir) || return 0
  [ -s "$dir/PG_VERSION" ] || return 0
  if as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    log "PostgreSQL in $dir stopped"
  fi
}

# pg_connection DIR PORT DB: the Npgsql connection string for that cluster and database.
pg_connection() {
  echo "Host=127.0.0.1;Port=$2;Database=$3;Username=nocturne;Password=$(cat "$1.password")"
}

# pg_create_db DIR PORT DB: creates the database if it does not exist.
pg_create_db() {
  local dir port="$2" db="$3" bin
  dir=$(realpath -m "$1")
  bin=$(pg_bin_dir)
  if ! PGPASSWORD=$(cat "$dir.password") "$bin/psql" -h 127.0.0.1 -p "$port" -U nocturne -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
    PGPASSWORD=$(cat "$dir.password") "$bin/createdb" -h 127.0.0.1 -p "$port" -U nocturne "$db"
    log "database $db created"
  fi
}

redis_start() {
  local dir port="$2"
  dir=$(realpath -m "$1")
  mkdir -p "$dir"
  if [ -s "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then
    return 0
  fi
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save "" --appendonly yes --appendfsync everysec >/dev/null
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && { log "Redis up on 127.0.0.1:$port"; return 0; }
    sleep 0.1
  done
  log "Redis did not start; see $dir/redis.log"; exit 1
}

redis_stop() {
  local dir pid
  dir=$(realpath -m "$1")
  pid=$(cat "$dir/redis.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    log "Redis in $dir stopped"
  fi
  rm -f "$dir/redis.pid"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  cmd="${1:-}"; shift || true
  case "$cmd" in
    pg-start) pg_start "$@" ;;
    pg-stop) pg_stop "$@" ;;
    pg-connection) pg_connection "$@" ;;
    pg-create-db) pg_create_db "$@" ;;
    redis-start) redis_start "$@" ;;
    redis-stop) redis_stop "$@" ;;
    ensure-packages) ensure_packages ;;
    *) echo "usage: $0 pg-start DIR PORT | pg-stop DIR | pg-connection DIR PORT DB | pg-create-db DIR PORT DB | redis-start DIR PORT | redis-stop DIR | ensure-packages" >&2; exit 2 ;;
  esac
fi
