# Throwaway PostgreSQL for tests and benchmarks. Source it, then:
#   pg_start DIR     initdb + start on a free loopback port; sets PG_BIN, PG_PORT, PG_URL (postgres db)
#   pg_stop          stop it (immediate) and remove DIR
#   pg_stop_server / pg_start_server   stop/start the same cluster (fault tests)
#   pg_start_replica DIR [options]      a streaming replica of it; pg_stop_replica removes it
# As root it runs PostgreSQL as the unprivileged user plinth-pg (PostgreSQL refuses to run as root),
# and installs the server with apt-get when its binaries are missing.

pg_find_bin() {
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1
}

# The path of a PostgreSQL program beside the server's (PATH may hold only some of them).
pg_tool() {
  local dir
  for dir in "$PG_BIN" "$(dirname "$(readlink -f "$PG_BIN/initdb")")"; do
    if [ -x "$dir/$1" ]; then echo "$dir/$1"; return; fi
  done
  command -v "$1"
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

# pg_ctl_start DIR PORT [options]: starts the cluster in DIR/data on 127.0.0.1:PORT.
pg_ctl_start() {
  local dir=$1 port=$2
  shift 2
  pg_run "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 ${PG_OPTIONS:-} $*" \
    start >/dev/null || { cat "$dir/postgres.log" >&2; return 1; }
}

pg_start_server() {
  pg_ctl_start "$PG_DIR" "$PG_PORT"
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

# pg_start_replica DIR [postgres -c options...]: a streaming replica of the running cluster
# (pg_basebackup -R), on a free port; sets REPLICA_DIR, REPLICA_PORT, REPLICA_URL.
pg_start_replica() {
  REPLICA_DIR=$1
  shift
  mkdir -p "$REPLICA_DIR"
  if [ "$(id -u)" = 0 ]; then chown plinth-pg "$REPLICA_DIR"; fi
  REPLICA_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  pg_run "$(pg_tool pg_basebackup)" -D "$REPLICA_DIR/data" -R -X stream -h 127.0.0.1 -p "$PG_PORT" -U postgres --no-sync \
    >"$REPLICA_DIR/basebackup.log" 2>&1 || { cat "$REPLICA_DIR/basebackup.log" >&2; return 1; }
  REPLICA_OPTIONS="$*"
  pg_start_replica_server || return 1
  REPLICA_URL="postgres://postgres@127.0.0.1:$REPLICA_PORT/postgres"
  export REPLICA_DIR REPLICA_PORT REPLICA_URL REPLICA_OPTIONS
}

pg_start_replica_server() {
  # shellcheck disable=SC2086 # the options are words
  pg_ctl_start "$REPLICA_DIR" "$REPLICA_PORT" ${REPLICA_OPTIONS:-}
}

pg_stop_replica_server() {
  pg_run "$PG_BIN/pg_ctl" -D "$REPLICA_DIR/data" -m fast -w stop >/dev/null
}

pg_stop_replica() {
  [ -n "${REPLICA_DIR:-}" ] || return 0
  pg_run "$PG_BIN/pg_ctl" -D "$REPLICA_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$REPLICA_DIR"
}
