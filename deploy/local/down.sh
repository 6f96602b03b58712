#!/usr/bin/env bash
# Stops the PostgreSQL and Redis started by up.sh. Data in .data/ is kept.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
DATA="${NOCTURNE_DATA:-$NOCTURNE_ROOT/.data}"
redis_stop "$DATA/redis"
pg_stop "$DATA/pg"
