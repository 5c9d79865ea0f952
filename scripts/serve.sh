#!/usr/bin/env bash
# Quick start, command 1: install, migrate, create the staff account, then run the web server
# and a Celery worker on the embedded default (SQLite + filesystem broker under var/).
# Set DATABASE_URL / REDIS_URL to use PostgreSQL and Redis instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements.txt
# Optional: without Chromium audits report the JavaScript render sample as skipped.
source scripts/_pdf.sh
ensure_pdf_tools || echo "PDF report tools are not all available: PDF reports may fail" >&2
source scripts/_chromium.sh
ensure_chromium || echo "Chromium not available: the JavaScript render sample will be skipped" >&2

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/python manage.py ensure_admin

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
# Threads pool: an audit may start parse worker processes of its own (prefork children can't).
# One worker for every queue (tasks are routed by kind: seoaudit/task_routing.py), with the
# periodic tasks (watchdog, webhook retries, rank tracking) run by its embedded beat.
.venv/bin/celery -A seoaudit worker --pool threads --concurrency "${WORKER_CONCURRENCY:-2}" \
    -Q crawl,ai,reports,webhooks,beat,celery --beat --loglevel INFO &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null || true; wait "$WORKER" 2>/dev/null || true' EXIT INT TERM
echo "admin: http://$HOST:$PORT/admin/  (Ctrl-C stops the web server and the worker)"
echo "audits: http://$HOST:$PORT/audits/  (sign in with the staff account; start an audit and watch it live)"
.venv/bin/uvicorn seoaudit.asgi:application --host "$HOST" --port "$PORT" --lifespan off
