#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, listening on 127.0.0.1 only.
#   postgres.sh start DIR   initdb into DIR (installing the Debian postgresql package when
#                           initdb/pg_ctl are missing), start on a free port, create a role with
#                           a password that may create databases and a database of its own;
#                           writes the URL to DIR/url and prints it
#   postgres.sh stop DIR    stops the server and removes DIR
#   postgres.sh halt DIR    stops the server, keeping its data and port (a test of lost servers)
#   postgres.sh resume DIR  starts a halted server again on the same port
# Durability is off (fsync, full page writes): the data is thrown away after the tests.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|halt|resume DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
command=$1
dir=$2
case $dir in
  /*) ;;
  *) dir=$(pwd)/$dir ;;
esac

log() { echo "postgres.sh: $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian keeps the server programs out of PATH, under /usr/lib/postgresql/<version>/bin.
find_bindir() {
  local candidate
  for candidate in $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V -r); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"
      return
    fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v pg_ctl)"
  fi
}

bindir=$(find_bindir)
if [ -z "$bindir" ] && [ "$command" = start ]; then
  log "initdb and pg_ctl not found; installing the postgresql package"
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    postgresql >&2
  bindir=$(find_bindir)
fi
[ -n "$bindir" ] || { log "initdb and pg_ctl not found"; exit 1; }

# The server refuses to run as root: then it runs as the postgres user, which owns DIR.
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

pg_ctl_as_owner() { as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" "$@"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_server() {
  local port=$1
  # Test data: nothing needs to survive a crash, and fsync would dominate the test time.
  pg_ctl_as_owner -w -t 60 -o "-p $port -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off -c max_connections=200" start >/dev/null
}

# Refuse to delete anything this script did not create.
require_ours() {
  [ -f "$dir/.teleglas-test-postgres" ] || { log "$dir was not made by $0"; exit 1; }
}

case $command in
  start)
    case $dir in *" "*) log "DIR must not contain spaces"; exit 2 ;; esac
    # The socket path must fit in sockaddr_un (107 bytes).
    [ ${#dir} -le 80 ] || { log "DIR is too long for a socket path: $dir"; exit 2; }
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
      log "$dir exists and is not empty"
      exit 1
    fi
    mkdir -p "$dir"
    touch "$dir/.teleglas-test-postgres"
    [ "$owner" = "$(id -un)" ] || chown -R "$owner" "$dir"
    chmod 700 "$dir"
    password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    started=""
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      port=$((20000 + RANDOM % 40000))
      port_in_use "$port" && continue
      # Another process may take the port between the check and the bind: then try another.
      if start_server "$port"; then
        started=$port
        break
      fi
    done
    [ -n "$started" ] || { log "could not start the server"; cat "$dir/server.log" >&2; exit 1; }
    echo "$started" >"$dir/port"
    as_owner "$bindir/psql" -X -q -h "$dir" -p "$started" -U postgres -d postgres \
      -v ON_ERROR_STOP=1 \
      -c "CREATE ROLE teleglas LOGIN CREATEDB PASSWORD '$password'" \
      -c "CREATE DATABASE teleglas OWNER teleglas" >&2
    url="postgresql://teleglas:$password@127.0.0.1:$started/teleglas"
    (umask 077 && echo "$url" >"$dir/url")
    echo "$url"
    ;;
  stop)
    [ -e "$dir" ] || exit 0
    # A start that failed before initdb leaves the empty directory it was given.
    if [ -d "$dir" ] && [ -z "$(ls -A "$dir")" ]; then
      rmdir "$dir"
      exit 0
    fi
    require_ours
    pg_ctl_as_owner -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  halt)
    require_ours
    pg_ctl_as_owner -m fast -w stop >/dev/null
    ;;
  resume)
    require_ours
    start_server "$(cat "$dir/port")"
    ;;
  *) usage ;;
esac
