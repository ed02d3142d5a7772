"""Several portal processes on one database (and cache), as behind a load balancer.

The processes are the container's command (gunicorn with gunicorn.conf.py, production
settings) pointed at the test database, which `transactional_db` fills with committed
rows they can see.
"""

import urllib.parse

import pytest
from django.conf import settings
from django.db import connection

SHARED_BACKENDS = (
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
)
NEEDS_SHARED_BACKENDS = pytest.mark.skipif(
    not SHARED_BACKENDS,
    reason="needs DATABASE_URL=postgres://... and CACHE_URL=redis://...: processes share "
    "sessions, lock-outs and cached answers only through PostgreSQL and Redis (SQLite "
    "and the local-memory cache are per machine and per process)",
)


def subprocess_database_url() -> str:
    """A URL for the test database (the one pytest-django created), for subprocesses."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = urllib.parse.quote(db["USER"] or "", safe="")
    password = urllib.parse.quote(db["PASSWORD"] or "", safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{db['NAME']}"


def cache_url() -> str | None:
    location = settings.CACHES["default"].get("LOCATION")
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        return location if isinstance(location, str) else location[0]
    return None
