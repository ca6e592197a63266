#!/usr/bin/env bash
# Serves a PostgreSQL (PGlite, WASM) with pgvector on 127.0.0.1 for trying the PostgreSQL store and for its benchmark:
#   scripts/pglite-server.sh [PORT] [DATA_DIR]   then   --connection "Host=127.0.0.1;Port=PORT;Username=postgres;Password=postgres;SSL Mode=Disable"
# PGlite runs one query at a time in one thread: use it to try things, not to measure a production PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-54329}"
data="${2:-${TMPDIR:-/tmp}/semmatch-pglite}"
[ -d tools/pglite/node_modules ] || npm ci --prefix tools/pglite --no-audit --no-fund
exec node tools/pglite/node_modules/@electric-sql/pglite-socket/dist/scripts/server.js \
  --db="$data" --port="$port" --host=127.0.0.1 \
  --extensions=@electric-sql/pglite-pgvector:vector --max-connections=16
