"""Shared plumbing for the benchmarks: seeded databases, child processes, statistics.

Every benchmark runs its measurements in child processes (a fresh interpreter per
database, so peak RSS is the measurement's own) with `bench.settings`. Seeded SQLite
databases are kept outside the repository, in $BENCH_DATA (default /tmp/portal-bench/),
and reused while their scale matches.
"""

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BENCH_DATA", "/tmp/portal-bench"))
PYTHON = sys.executable

FULL = {"customers": 100_000, "assignments": 300_000, "events": 1_000_000}
TINY = {"customers": 10, "assignments": 10, "events": 10}


def scaled(events: int) -> dict[str, int]:
    """The full scale's proportions for `events` audit rows."""
    return {"customers": events // 10, "assignments": events * 3 // 10, "events": events}


def ensure_scaled(events: int, *, postgres: bool = True) -> str:
    """The shared seeded database for `events` audit rows (see ensure_db)."""
    return ensure_db(f"portal-{events}", scaled(events), postgres=postgres)


def base_env(database_url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(ROOT),
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
        }
    )
    # The audit chain's key: required by the settings, fixed so that seeded rows verify.
    env.setdefault("AUDIT_HMAC_KEY", "bench-audit-hmac-key-not-for-production-0123456789")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://", "pgsql://")) else None


def ensure_db(name: str, scale: dict[str, int], *, postgres: bool = True) -> str:
    """A database URL holding (at least) `scale` rows, seeding it when needed.

    SQLite: $BENCH_DATA/<name>.sqlite3, rebuilt when its recorded scale differs.
    PostgreSQL (DATABASE_URL, unless `postgres` is False): used as it is when it already
    holds the rows; seeded only with BENCH_SEED_POSTGRES=1, because seeding writes a
    million rows into that database.
    """
    pg = postgres_url() if postgres else None
    if pg:
        migrate(pg)
        counts = child_json("bench.common", ["--counts"], pg)
        if all(counts[k] >= v for k, v in scale.items()):
            return pg
        if os.environ.get("BENCH_SEED_POSTGRES") != "1":
            raise SystemExit(
                f"DATABASE_URL is PostgreSQL but holds {counts}; set BENCH_SEED_POSTGRES=1 "
                "to seed it (it must be a throw-away database)."
            )
        seed(pg, scale)
        return pg

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"{name}.sqlite3"
    marker = path.with_suffix(".json")
    url = f"sqlite:///{path}"
    if path.exists() and marker.exists() and json.loads(marker.read_text()) == scale:
        return url
    for leftover in DATA.glob(f"{name}.sqlite3*"):
        leftover.unlink()
    marker.unlink(missing_ok=True)
    seed(url, scale)
    marker.write_text(json.dumps(scale))
    return url


def migrate(url: str) -> None:
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=base_env(url), check=True)


def seed(url: str, scale: dict[str, int]) -> None:
    env = base_env(url)
    started = time.monotonic()
    print(f"  seeding {url.rsplit('/', 1)[-1]}: {scale} …", flush=True)
    migrate(url)
    subprocess.run(
        [
            PYTHON,
            "manage.py",
            "seed_demo",
            "--customers",
            str(scale["customers"]),
            "--assignments",
            str(scale["assignments"]),
            "--events",
            str(scale["events"]),
            "--seed",
            "2025",
            "--batch-size",
            "10000",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"  seeded in {time.monotonic() - started:.0f} s", flush=True)


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def child_json(module: str, args: list[str], database_url: str, timeout: float = 900) -> dict:
    """Run `python -m module args` against the database; its last stdout line is JSON."""
    done = subprocess.run(
        [PYTHON, "-m", module, *args],
        cwd=ROOT,
        env=base_env(database_url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise SystemExit(f"{module} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(seconds: list[float]) -> tuple[float, float]:
    """(median, p95) in milliseconds."""
    return statistics.median(seconds) * 1000, percentile(seconds, 0.95) * 1000


def machine() -> dict[str, str]:
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": platform.platform(),
    }


def postgres_version(url: str) -> str:
    """ "PostgreSQL 15.18", as the server says."""
    done = subprocess.run(
        ["psql", url, "-Atc", "SHOW server_version"], capture_output=True, text=True, check=True
    )
    return f"PostgreSQL {done.stdout.strip().split()[0]}"


def setup_django() -> None:
    """In a child: Django configured with bench.settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def bench_manager():
    """The benchmark's manager account (created once per database)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from licensing import roles

    user, created = get_user_model().objects.get_or_create(username="bench-manager")
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=roles.MANAGERS)[0])
    return user


def _counts() -> dict[str, int]:
    setup_django()
    from licensing.models import AuditEvent, Customer, LicenseAssignment

    return {
        "customers": Customer.objects.count(),
        "assignments": LicenseAssignment.objects.count(),
        "events": AuditEvent.objects.count(),
    }


if __name__ == "__main__" and sys.argv[1:] == ["--counts"]:
    print(json.dumps(_counts()))
