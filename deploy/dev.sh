#!/usr/bin/env bash
# The two Quickstart commands:
#   bash deploy/dev.sh up     set up, then run the service with demo data on the embedded default
#   bash deploy/dev.sh test   set up, then run linters, type checks and the whole test suite
# Extra arguments go to `forloeb up` or to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv

ensure_env() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "Opretter Python-miljø i $VENV ..."
    python3 -m venv "$VENV"
  fi
  # Reinstall when the dependencies change; skipped otherwise so a second start is quick.
  local stamp="$VENV/.installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "Installerer afhængigheder ..."
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev]"
    touch "$stamp"
  fi
}

ensure_chromium() {
  # Page tests drive Debian's headless Chromium; no test tool downloads a browser of its own.
  command -v chromium >/dev/null 2>&1 || apt_install chromium
}

ensure_axe() {
  # The accessibility tests read axe-core from tests/browser/node_modules into the pages. npm ci
  # runs again only when the manifest or lock file is newer than the last install, so a second
  # run is quick.
  local dir=tests/browser
  local stamp="$dir/node_modules/.package-lock.json"
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  if [ ! -f "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ] \
    || [ "$dir/package-lock.json" -nt "$stamp" ]; then
    echo "Installerer axe-core ..."
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_postgres() {
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || apt_install postgresql
}

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "Installér først (som root): apt-get install $*" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

cmd="${1:-}"
shift || true
case "$cmd" in
  up)
    ensure_env
    exec "$VENV/bin/forloeb" up --demo "$@"
    ;;
  test)
    ensure_env
    ensure_chromium
    ensure_axe
    # The scale-out test runs the service's processes on PostgreSQL, as production does.
    ensure_postgres
    # systemd's own parser checks the units for virtual machines (deploy/systemd).
    command -v systemd-analyze >/dev/null 2>&1 || apt_install systemd
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/mypy" .
    "$VENV/bin/lint-imports"
    "$VENV/bin/pytest" "$@"
    ;;
  test-postgres)
    # The database and API tests again, on Debian's PostgreSQL on loopback; how pages look in
    # the browser (axe, keyboard, layout) does not depend on the database and ran on SQLite.
    ensure_env
    ensure_chromium
    ensure_axe
    ensure_postgres
    url=$(bash deploy/postgres.sh)
    TEST_DATABASE_URL="$url" "$VENV/bin/pytest" -m "not looks" tests/activities tests/api tests/models tests/security "$@"
    ;;
  *)
    echo "Brug: bash deploy/dev.sh up|test|test-postgres [argumenter]" >&2
    exit 2
    ;;
esac
