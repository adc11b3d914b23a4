#!/usr/bin/env bash
# Starts Debian's PostgreSQL on loopback for the test suite and prints a database URL for it:
#   bash deploy/postgres.sh [DATABASE]    (default forloeb_test)
# Needs root (Debian's cluster tools run the server as the postgres user).
set -euo pipefail

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
cluster=forloeb
database=${1:-forloeb_test}
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version $cluster"; then
  pg_createcluster "$version" "$cluster" -- --auth-host=scram-sha-256 >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -qx online; then
  # Its chatter ("Removed stale pid file.") must not mix with the URL this script prints.
  pg_ctlcluster "$version" "$cluster" start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $3}')

sql() { su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -tAc \"$1\""; }
[ "$(sql "SELECT 1 FROM pg_roles WHERE rolname = 'forloeb'")" = 1 ] \
  || sql "CREATE ROLE forloeb LOGIN PASSWORD 'forloeb'" >/dev/null
[ "$(sql "SELECT 1 FROM pg_database WHERE datname = '$database'")" = 1 ] \
  || sql "CREATE DATABASE $database OWNER forloeb" >/dev/null

echo "postgresql+psycopg://forloeb:forloeb@127.0.0.1:$port/$database"
