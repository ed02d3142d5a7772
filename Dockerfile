# The FlashStart reseller portal: gunicorn (threaded workers) serving Django + WhiteNoise.
#
#   docker compose build
#   docker compose up -d          # db and redis, then the one-shot `migrate`, then web
#
# CI builds this file with podman on a base image made locally from Debian's packages
# (PYTHON_IMAGE=localhost/pybase:bookworm, see .ci/container-smoke and the README).
# Any image with python3 (with venv and pip), `python`, groupadd/useradd and CA
# certificates works as PYTHON_IMAGE; the default needs a registry.
#
# Migrations never run at container start: several containers starting together would
# race, and a release whose migration fails must not half-start. compose.yaml runs them
# once, in the `migrate` service, before web starts.

ARG PYTHON_IMAGE=python:3.11-slim
# The builder stage's base: the same Python (the venv is copied across), plus anything only
# the build needs (gettext's msgfmt, installed below when the base lacks it).
ARG BUILDER_IMAGE=python:3.11-slim

# --- builder: dependencies from the lock, hashes checked -----------------------------
FROM ${BUILDER_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

# GNU gettext's msgfmt for compilemessages, in this stage only (the base image CI makes
# has it already; a python:3.11-slim base gets it from Debian here).
# hadolint ignore=DL3008
RUN command -v msgfmt >/dev/null 2>&1 \
    || { apt-get update && apt-get install -y --no-install-recommends gettext \
         && rm -rf /var/lib/apt/lists/*; }

COPY requirements/base.txt /tmp/requirements/base.txt
# Every package (dependencies included) must be pinned with a hash in the lock, or the
# build stops; wheels only, so no compiler is needed (psycopg ships libpq in its wheel).
RUN pip install --no-cache-dir --require-hashes --only-binary=:all: \
        -r /tmp/requirements/base.txt

# The translation catalogues, compiled (settings need dummy values to load, as below).
WORKDIR /src
COPY manage.py ./
COPY portal ./portal
COPY licensing ./licensing
COPY locale ./locale
RUN DJANGO_SECRET_KEY=compilemessages-build-only-not-a-secret \
    AUDIT_HMAC_KEY=compilemessages-build-only-not-a-secret-audit-key \
    FLASHSTART_API_URL=http://127.0.0.1:9/ \
    FLASHSTART_API_KEY=compilemessages-build-only \
    DATABASE_URL=sqlite:////tmp/compilemessages.sqlite3 \
    python manage.py compilemessages --locale it --verbosity 0

# --- runtime: slim, non-root, no build tools -------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PORT=8000

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin portal

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
# Code and static files belong to root: the app user can read them, not change them.
COPY . /app
COPY --from=builder /src/locale /app/locale

# Static files are collected (hashed, compressed) at build time for WhiteNoise. Settings
# need secrets and a vendor URL to load: dummy values, for this command only. The code is
# compiled here because the running user cannot write __pycache__ (faster worker starts).
RUN DJANGO_SECRET_KEY=collectstatic-build-only-not-a-secret \
    AUDIT_HMAC_KEY=collectstatic-build-only-not-a-secret-audit-key \
    FLASHSTART_API_URL=http://127.0.0.1:9/ \
    FLASHSTART_API_KEY=collectstatic-build-only \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --noinput --verbosity 0 \
    && rm -f /tmp/collectstatic.sqlite3 \
    && python -m compileall -q manage.py gunicorn.conf.py portal licensing \
    && mkdir -p /app/var \
    && chown portal:portal /app/var

USER 10001:10001
EXPOSE 8000

# Asks 127.0.0.1:$PORT/healthz (no curl in the image); 200 only while the database answers.
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 \
    CMD ["python", "-m", "portal.healthcheck"]

CMD ["gunicorn", "portal.wsgi", "-c", "gunicorn.conf.py"]
