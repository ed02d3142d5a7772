"""gunicorn settings for the portal (`gunicorn portal.wsgi -c gunicorn.conf.py`).

The container runs exactly this; every value can be changed from the environment.

Why threaded workers (gthread): a page waits on the vendor for up to FLASHSTART_TIMEOUT
seconds, and an audit export may stream for minutes. With gthread the worker's main loop
keeps telling the arbiter it is alive while requests run in its threads, so `timeout`
only catches a worker that is truly stuck, never a long CSV download; a sync worker
would be killed (and the download cut) after `timeout` seconds.
"""

import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Loopback in tests and behind a local proxy; 0.0.0.0 inside a container.
bind = os.environ.get(
    "GUNICORN_BIND",
    f"{os.environ.get('GUNICORN_HOST', '0.0.0.0')}:{_int('PORT', 8000)}",  # noqa: S104
)
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", 2)
threads = _int("GUNICORN_THREADS", 8)
# Heartbeat deadline of a worker's main loop (not of a request, see above).
timeout = _int("GUNICORN_TIMEOUT", 60)
# On a restart or deploy, running downloads get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 120)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Optional recycling against slow leaks (0 = off); the jitter avoids all workers at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 50)

# The heartbeat file lives in memory where there is /dev/shm (Docker's overlay
# filesystem can stall the heartbeat and get healthy workers killed).
if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# No runtime control socket: nothing uses it, and two servers on one machine (or a
# read-only home directory in the container) would fight over its default path.
control_socket_disable = True

# The portal logs one JSON line per request itself (portal.middleware), carrying the
# request id; gunicorn's access log would only repeat it without the id.
# Set GUNICORN_ACCESS_LOG=1 to have it anyway.
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") else None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own messages (boot, worker restarts) as JSON lines too, like the portal's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {
            "handlers": ["console"],
            "level": "INFO" if accesslog else "WARNING",
            "propagate": False,
        },
    },
}
