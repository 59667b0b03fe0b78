#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: initdb in a temporary directory,
# start it on a free loopback port, export DATABASE_URL, run, stop, remove.
# Without the server binaries: skip (exit 0) with a message, or fail when CI=true.
set -euo pipefail

find_bin() {
  command -v "$1" 2>/dev/null && return
  ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1
}
INITDB=$(find_bin initdb || true)
PG_CTL=$(find_bin pg_ctl || true)
CREATEDB=$(ls /usr/lib/postgresql/*/bin/createdb 2>/dev/null | sort -V | tail -n 1)
[ -n "$CREATEDB" ] || CREATEDB=$(find_bin createdb || true)
if [ -z "$INITDB" ] || [ -z "$PG_CTL" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "ERREUR : binaires du serveur PostgreSQL (initdb, pg_ctl) introuvables ; requis en CI." >&2
    exit 1
  fi
  echo "PostgreSQL absent (initdb, pg_ctl) : passe PostgreSQL ignorée. Installez le paquet postgresql pour la lancer."
  exit 0
fi

workdir=$(mktemp -d /tmp/mutualis-pg.XXXXXX)
chmod 755 "$workdir"
as_owner=()
if [ "$(id -u)" = "0" ]; then
  # initdb refuses to run as root: the cluster belongs to an unprivileged account.
  owner=postgres
  id "$owner" >/dev/null 2>&1 || owner=nobody
  chown "$owner" "$workdir"
  as_owner=(runuser -u "$owner" --)
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  "${as_owner[@]}" "$PG_CTL" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${as_owner[@]}" "$INITDB" -D "$workdir/data" -U mutualis --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_owner[@]}" "$PG_CTL" -D "$workdir/data" -l "$workdir/server.log" -w \
  -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
"${as_owner[@]}" "$CREATEDB" -h 127.0.0.1 -p "$port" -U mutualis mutualis
echo "PostgreSQL temporaire sur 127.0.0.1:$port"
export DATABASE_URL="postgres://mutualis@127.0.0.1:$port/mutualis"
"$@"
