"""The portal's one settings module, read from the environment (django-environ).

Every variable is listed in `.env.example` and in the README. Secrets have no default
outside debug mode: a missing one stops the start with a message naming it.
"""

import logging
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-development-key-do-not-use")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # required: names itself when missing

# The audit chain's key: every audit row's hash is an HMAC with it (licensing/audit/
# hashing.py), so whoever can write to the database but does not hold this key cannot
# rewrite the trail unnoticed. Keep it outside the database (and its backups), and never
# change it: rows written with one key verify with that key only. Required outside debug
# mode; in debug mode, the key `manage.py rundemo` keeps in var/audit-hmac-key, else a
# fixed development key.
AUDIT_HMAC_KEY_FILE = BASE_DIR / "var" / "audit-hmac-key"
if DEBUG:
    AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="") or (
        AUDIT_HMAC_KEY_FILE.read_text().strip()
        if AUDIT_HMAC_KEY_FILE.is_file()
        else "insecure-development-audit-key-do-not-use"
    )
else:
    AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY")  # required: names itself when missing
    if len(AUDIT_HMAC_KEY.strip()) < 32:
        raise ImproperlyConfigured(
            "AUDIT_HMAC_KEY must be at least 32 characters, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`"
        )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "licensing",
]

MIDDLEWARE = [
    "portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    # Answers /healthz before the Host check: probes use an IP address as the host.
    "portal.health.HealthCheckMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "licensing.language.ProfileLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "licensing.context_processors.role_flags",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers queue
    # (up to `timeout` seconds) instead of failing with "database is locked" mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # An unreachable server fails the request (and /healthz) quickly instead of hanging.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DJANGO_DB_CONNECT_TIMEOUT", default=5)
        )
# Vendor calls must never run inside a transaction: each service commits its own steps.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A stalled Redis must cost a request a second, not hang it (the breaker and the
    # catalogue read the cache on every vendor call).
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", 1)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 1)

# --- auth -----------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"  # the home page: each person's work ahead
LOGOUT_REDIRECT_URL = "/accounts/login/"
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)

# Brute-force protection (django-axes): a few failures lock that username from that client
# address, together. Not the address alone (an office behind one NAT address would be
# locked out by one colleague's typos), not the username alone (anyone who knows a username
# could lock its owner out on purpose). Behind a proxy, set DJANGO_PROXY_COUNT so the real
# client IP is used. Managers unlock from the admin (licensing.admin.site, audited).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLE_ADMIN = False  # the portal's own lock-out admin replaces axes'
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# django-ipware is not installed, so axes would see REMOTE_ADDR (the proxy) only: our own
# resolver honours the proxy count, and the audit trail uses the same one.
PORTAL_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"
AXES_USERNAME_CALLABLE = "portal.throttling.login_username"
AXES_VERBOSE = False

# --- i18n, time -----------------------------------------------------------------------
# English (the default) and Italian. A signed-in person's choice (their profile) wins, then
# the language cookie the header switcher sets, then the browser's Accept-Language.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("it", "Italiano")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Europe/Rome")
USE_I18N = True
USE_TZ = True

# --- static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- security -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie: the token travels in hx-headers
# The portal's own page (no inline style for the CSP to block, a way back to work).
CSRF_FAILURE_VIEW = "licensing.views.errors.csrf_failure"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
_proxy_header = env.str("DJANGO_SECURE_PROXY_SSL_HEADER", default="")
if _proxy_header:
    # e.g. "HTTP_X_FORWARDED_PROTO,https" when a TLS-terminating proxy sets that header
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_header.split(",", 1))

# --- the vendor (FlashStart customer area) --------------------------------------------
FLASHSTART_SANDBOX_URL = "http://127.0.0.1:8765/"
FLASHSTART_SANDBOX_KEY = "sandbox-key"
if DEBUG:
    FLASHSTART_API_URL = env.str("FLASHSTART_API_URL", default=FLASHSTART_SANDBOX_URL)
else:
    FLASHSTART_API_URL = env.str("FLASHSTART_API_URL")
if FLASHSTART_API_URL == FLASHSTART_SANDBOX_URL:
    FLASHSTART_API_KEY = env.str("FLASHSTART_API_KEY", default=FLASHSTART_SANDBOX_KEY)
else:
    FLASHSTART_API_KEY = env.str("FLASHSTART_API_KEY")
if not FLASHSTART_API_KEY.strip():
    raise ImproperlyConfigured("Set the FLASHSTART_API_KEY environment variable")
FLASHSTART_TIMEOUT = env.float("FLASHSTART_TIMEOUT", default=8.0)
FLASHSTART_CATALOGUE_CACHE_SECONDS = env.int("FLASHSTART_CATALOGUE_CACHE_SECONDS", default=60)
# Every path is configuration: a path the vendor moves is a settings change, not a code change.
_FLASHSTART_DEFAULT_PATHS = {
    "available": "customerarea/licenses/available",
    "demo": "customerarea/licenses/demo",
    "assign": "customerarea/licenses/assign",
    "suspend": "customerarea/licenses/suspend",
    "enable": "customerarea/licenses/enable",
    "customer_new": "customerarea/customers/new",
    "auth_token": "customerarea/auth/token",
    "currencies": "customerarea/directory/currencies",
    "versions": "customerarea/directory/licenses/versions",
    "countries": "customerarea/directory/countries",
    "industries": "customerarea/directory/industries",
}
FLASHSTART_PATHS = {
    name: env.str(f"FLASHSTART_PATH_{name.upper()}", default=path)
    for name, path in _FLASHSTART_DEFAULT_PATHS.items()
}
FLASHSTART_DASHBOARD_URL = env.str(
    "FLASHSTART_DASHBOARD_URL", default="https://cloud.flashstart.com/?auth_token="
)
FLASHSTART_BREAKER = {
    "FAILURES": env.int("FLASHSTART_BREAKER_FAILURES", default=5),
    "COOLDOWN": env.int("FLASHSTART_BREAKER_COOLDOWN", default=30),
}
# Used when the vendor's directory endpoints answer nothing usable.
FLASHSTART_FALLBACKS = {
    "currencies": [("EUR", "Euro"), ("USD", "US dollar"), ("CHF", "Swiss franc")],
    "versions": [("0", "Standard"), ("1", "Pro"), ("2", "MSP")],
    "countries": [
        ("IT", "Italy"),
        ("DE", "Germany"),
        ("ES", "Spain"),
        ("FR", "France"),
        ("GB", "United Kingdom"),
        ("US", "United States"),
        ("CH", "Switzerland"),
        ("AT", "Austria"),
    ],
    "industries": [
        ("1", "Business"),
        ("2", "Education"),
        ("3", "Healthcare"),
        ("4", "Public administration"),
        ("5", "Family"),
    ],
}

# --- e-mail (reminders, digests) ------------------------------------------------------
# EMAIL_URL: smtp+tls://user:password@host:587 (STARTTLS), smtp+ssl://user:password@host:465,
# consolemail:// (printed, as in the demo run), dummymail:// (dropped). Unset outside debug
# mode: SMTP on localhost:25, Django's own default. Kept out of the settings' names (lower
# case): the URL may hold a password, and only EMAIL_HOST_PASSWORD is masked as one.
_email_url = env.str("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(env.email_url_config(_email_url))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="FlashStart portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# The portal's address as people reach it: links in e-mails start with it.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000")

# --- spending limits (services.limits): the Sales group's default, in EUR ---------------
# Unset: no limit. A limit a manager sets in the admin replaces these.
PORTAL_APPROVAL_ABOVE_EUR = env.str("PORTAL_APPROVAL_ABOVE_EUR", default="") or None
PORTAL_DAILY_LIMIT_EUR = env.str("PORTAL_DAILY_LIMIT_EUR", default="") or None
PORTAL_APPROVAL_EXPIRY_DAYS = env.int("PORTAL_APPROVAL_EXPIRY_DAYS", default=7)

# --- logging: one JSON line per request and per vendor call ---------------------------
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "portal.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("DJANGO_LOG_FORMAT", default="json"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Python warnings (a naive datetime, a missing static directory), captured below:
        # one JSON line each like every other record, not a bare line in the JSON log.
        "py.warnings": {"level": "WARNING"},
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}
logging.captureWarnings(True)
