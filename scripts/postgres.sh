#!/usr/bin/env bash
# A throwaway PostgreSQL server for the register tests, on a high loopback port.
#   eval "$(scripts/postgres.sh start)"   → prints export lines (URL, pid, dir)
#   scripts/postgres.sh stop DIR           → stops it by its own pid and removes DIR
set -euo pipefail

# A free high port unless one is given (several test runs may share the machine).
port="${GATEWAY_TEST_POSTGRES_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"

find_bin() {
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

case "${1:-}" in
  start)
    bin="$(find_bin)"
    [ -x "$bin/initdb" ] || { echo "postgres.sh: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 1; }
    dir="$(mktemp -d /tmp/gateway-pg.XXXXXX)"
    chown postgres: "$dir" 2>/dev/null || true
    as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    pid="$(head -n 1 "$dir/data/postmaster.pid")"
    echo "export GATEWAY_TEST_POSTGRES_URL='postgresql+psycopg://postgres@127.0.0.1:$port/postgres'"
    echo "export GATEWAY_TEST_POSTGRES_PID='$pid'"
    echo "export GATEWAY_TEST_POSTGRES_DIR='$dir'"
    ;;
  stop)
    dir="${2:?usage: postgres.sh stop DIR}"
    if [ -f "$dir/data/postmaster.pid" ]; then
      pid="$(head -n 1 "$dir/data/postmaster.pid")"
      kill -INT "$pid" 2>/dev/null || true   # fast shutdown, by its own pid
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
