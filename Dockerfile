# One image, three processes (web, worker, beat), chosen by the command:
#   docker run IMAGE web | worker | beat
# tests/test_process_layout.py starts the same commands against local services.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

WORKDIR /app
COPY pyproject.toml ./
COPY config ./config
COPY surveys ./surveys
COPY intake ./intake
COPY reports ./reports
COPY templates ./templates
COPY manage.py docker-entrypoint.sh ./
RUN pip install --no-cache-dir . \
    && useradd --system --home /app naravard \
    && mkdir -p /app/media /app/staticfiles \
    && SECRET_KEY=build python manage.py collectstatic --noinput \
    && chown -R naravard /app
USER naravard
EXPOSE 8000
ENTRYPOINT ["./docker-entrypoint.sh"]
CMD ["web"]
