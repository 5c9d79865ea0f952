#!/usr/bin/env bash
# Quick start, command 2: install, make sure PostgreSQL and Redis run, lint, then run the whole
# test suite against the real PostgreSQL and Redis, then the embedded-mode smoke tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements-dev.txt
# The render sample's tests drive Debian's Chromium (Playwright's own browser download is not
# used); under CI=true they fail rather than skip without it.
source scripts/_pdf.sh
ensure_pdf_tools || echo "PDF report tools are not all available: PDF tests may fail" >&2
source scripts/_chromium.sh
ensure_chromium || echo "Chromium is not available: the render tests skip (and fail under CI=true)" >&2

pg_up() { .venv/bin/python -c "import psycopg; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=2').close()" 2>/dev/null; }
redis_up() { .venv/bin/python -c "import redis; redis.Redis(host='127.0.0.1', port=6379, socket_timeout=2).ping()" 2>/dev/null; }
if ! pg_up; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi
if ! redis_up; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
for _ in $(seq 1 30); do pg_up && redis_up && break; sleep 1; done
pg_up || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
redis_up || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }

export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
# The cache in a database of its own: tests call cache.clear() (a FLUSHDB), which must not wipe
# the rate limiter's windows or queued messages that another test worker is using.
export REDIS_CACHE_URL="${TEST_REDIS_CACHE_URL:-redis://127.0.0.1:6379/14}"
export SEOAUDIT_QUIET_STARTUP=1

.venv/bin/ruff check .
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
.venv/bin/pytest -n 2 --create-db --ignore=tests/smoke "$@"

# Embedded mode (no PostgreSQL, no Redis): its own smoke tests in a scratch var/ directory.
SMOKE_VAR="$(mktemp -d)"
trap 'rm -rf "$SMOKE_VAR"' EXIT
env -u DATABASE_URL -u REDIS_URL SEOAUDIT_VAR_DIR="$SMOKE_VAR" \
    .venv/bin/pytest tests/smoke -p no:xdist --create-db
