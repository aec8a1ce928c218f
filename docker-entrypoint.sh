#!/bin/sh
# The production process layout. Each command is what tests/test_process_layout.py
# starts, so a change here must be mirrored there (it reads this file).
# `migrate` is a one-off step before a release's processes start (compose.yaml
# runs it first); the web process never migrates, so several can start at once.
set -e
case "$1" in
  migrate)
    exec python manage.py migrate --noinput
    ;;
  web)
    exec gunicorn config.wsgi:application --config python:config.gunicorn --bind 0.0.0.0:${PORT:-8000} --workers ${WEB_CONCURRENCY:-3} --access-logfile -
    ;;
  worker)
    exec celery -A config worker --loglevel=INFO --concurrency ${CELERY_CONCURRENCY:-2}
    ;;
  beat)
    exec celery -A config beat --loglevel=INFO --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}"
    ;;
  *)
    exec "$@"
    ;;
esac
