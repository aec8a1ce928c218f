# One image, three processes (web, worker, beat), chosen by the command:
#   docker run IMAGE migrate | web | worker | beat   (compose.yaml runs them all)
# tests/test_process_layout.py starts the same commands against local services.
FROM python:3.11-slim

# PRODUCTION=true: the settings refuse a development key, DEBUG, no e-mail server
# or open ALLOWED_HOSTS (config/production.py).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PRODUCTION=true \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

WORKDIR /app
# The pinned versions first (a layer that changes only with the lock file), then
# the project itself without resolving again: the image runs what CI tested.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY pyproject.toml ./
COPY config ./config
COPY surveys ./surveys
COPY intake ./intake
COPY reports ./reports
COPY outbox ./outbox
COPY health ./health
COPY api ./api
COPY signin ./signin
COPY templates ./templates
COPY locale ./locale
COPY manage.py docker-entrypoint.sh ./
# The commit the image is built from, recorded in every export's manifest
# (docker build --build-arg GIT_COMMIT=$(git rev-parse HEAD) .): the image has no .git.
ARG GIT_COMMIT=""
ENV GIT_COMMIT=$GIT_COMMIT
RUN pip install --no-cache-dir --no-deps . \
    && useradd --system --home /app naravard \
    && mkdir -p /app/media /app/staticfiles /app/beat \
    && PRODUCTION=false python manage.py collectstatic --noinput \
    && chown -R naravard /app
USER naravard
EXPOSE 8000
ENTRYPOINT ["./docker-entrypoint.sh"]
CMD ["web"]
