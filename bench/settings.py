"""Benchmark settings: the portal's own settings plus one trivial URL (bench/urls.py).

Production-like (DEBUG off, same middleware, same templates); only what a loopback
benchmark needs is relaxed: plain HTTP cookies, no manifest for static files, quiet logs.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
os.environ.setdefault("FLASHSTART_API_URL", "http://127.0.0.1:9/")
os.environ.setdefault("FLASHSTART_API_KEY", "bench-key")
os.environ.setdefault("AUDIT_HMAC_KEY", "bench-audit-hmac-key-not-for-production-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_LOG_FORMAT", "plain")

from portal.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
