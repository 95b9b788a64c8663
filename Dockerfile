# syntax=docker/dockerfile:1
#
# One image for every process role of the platform; the command picks the role:
#   docker run logistics-platform                      -> `logistics serve` (everything)
#   docker run logistics-platform inventory-api        -> `logistics inventory-api`
#   docker run logistics-platform consumer logistics   -> `logistics consumer logistics`
#
# Both stages must use the very same Python image: the virtualenv built in the first
# stage points at that image's interpreter (/usr/local/bin/python3.11). Pin it by
# digest (python:3.11-slim@sha256:...) when you need reproducible builds.
ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: resolve nothing, install exactly what uv.lock says -----------------------
FROM ${PYTHON_IMAGE} AS builder

# uv is pinned to the release the lock file is maintained with: an older uv may not
# read a newer lock format, and a floating one would make builds drift.
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"

# The venv goes straight to its final path (a venv cannot be moved), compiled to
# bytecode once here because the runtime user cannot write __pycache__. Copy mode since
# uv's cache lives on a separate BuildKit cache mount.
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never

WORKDIR /build

# Dependencies first, in their own layer: it is rebuilt only when the lock changes,
# not on every source edit.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --extra otel --no-install-project

# Then the project itself, as a regular (non-editable) wheel install into /opt/venv,
# so the runtime stage needs nothing from /build.
COPY src ./src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --extra otel

# --- runtime: the interpreter, the virtualenv and an unprivileged user; nothing else ----
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="logistics-platform" \
      org.opencontainers.image.description="Event-driven logistics platform: every API, the outbox relay and every consumer" \
      org.opencontainers.image.licenses="MIT"

# uid/gid 10001: outside the range of system users on the host and in the base image.
# /app/var holds the embedded-mode SQLite file (the default DATABASE_URL points at
# ./var/logistics.db); production modes use PostgreSQL and never write there.
RUN groupadd --system --gid 10001 logistics \
    && useradd --system --uid 10001 --gid logistics --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin logistics \
    && install -d -m 0755 /app \
    && install -d -o logistics -g logistics -m 0750 /app/var

# Owned by root and read-only for the app user: the running process cannot modify code.
COPY --from=builder /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 \
    LOG_FORMAT=json

WORKDIR /app
USER 10001:10001

# Inventory API, Backoffice API, Health service.
EXPOSE 3000 3001 3002 3003

# No curl in the image: the probe is a few lines of the Python that is already there.
# HEALTHCHECK_PORT is read by this probe only (the app does not know it): set it to the
# port of the API the container runs (3001 backoffice-api, 3002 health-api). Containers
# that serve no HTTP (relay, consumers, the migration) should disable the check.
# Exec form, no shell: Python reads HEALTHCHECK_PORT itself (${HEALTHCHECK_PORT:-3000})
# and urlopen raises, so the check fails, on a refused connection or any non-2xx answer.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('HEALTHCHECK_PORT') or '3000'; urllib.request.urlopen(f'http://127.0.0.1:{port}/health', timeout=4)"]

ENTRYPOINT ["logistics"]
CMD ["serve"]
