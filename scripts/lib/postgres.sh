# Throwaway PostgreSQL for tests and benchmarks. Source it, then:
#   pg_start DIR     initdb + start on a free loopback port; sets PG_BIN, PG_PORT, PG_URL (postgres db)
#   pg_stop          stop it (immediate) and remove DIR
#   pg_stop_server / pg_start_server   stop/start the same cluster (fault tests)
# As root it runs PostgreSQL as the unprivileged user plinth-pg (PostgreSQL refuses to run as root),
# and installs the server with apt-get when its binaries are missing.

pg_find_bin() {
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1
}

pg_run() {
  if [ "$(id -u)" = 0 ]; then runuser -u plinth-pg -- "$@"; else "$@"; fi
}

pg_install_if_missing() {
  [ -n "$(pg_find_bin)" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  [ -n "$(pg_find_bin)" ] || { echo "PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql" >&2; return 1; }
}

pg_start() {
  PG_DIR=$1
  pg_install_if_missing || return 1
  PG_BIN=$(pg_find_bin)
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then
    id plinth-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin plinth-pg
    chown plinth-pg "$PG_DIR"
  fi
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  pg_run "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  pg_start_server || return 1
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  export PG_BIN PG_PORT PG_URL PG_DIR
}

pg_start_server() {
  pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 ${PG_OPTIONS:-}" \
    start >/dev/null || { cat "$PG_DIR/postgres.log" >&2; return 1; }
}

pg_stop_server() {
  pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}

pg_psql() {
  local psql="$PG_BIN/psql"
  [ -x "$psql" ] || psql=psql
  "$psql" "$PG_URL" -v ON_ERROR_STOP=1 -qAt "$@"
}
