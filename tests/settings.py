"""Test settings: the portal's settings with fast hashing and a fixed sandbox key."""

import os

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("FLASHSTART_API_URL", "http://127.0.0.1:9/")
os.environ.setdefault("FLASHSTART_API_KEY", "test-api-key")
os.environ.setdefault("AUDIT_HMAC_KEY", "test-audit-hmac-key-not-for-production-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_LOG_FORMAT", "plain")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
FLASHSTART_TIMEOUT = 2.0
AXES_ENABLED = os.environ.get("AXES_ENABLED", "true") == "true"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the default shared-cache in-memory database: shared cache locks whole
    # tables and ignores the busy timeout, which is not how the portal runs.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"portal-test-{os.getpid()}.sqlite3")  # noqa: F405
    }
