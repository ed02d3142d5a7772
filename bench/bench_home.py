"""How long the home page, the forecast and a reminders dry run take on a seeded database.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 DJANGO_DEBUG=true .venv/bin/python manage.py \
        seed_demo --customers 100000 --assignments 300000 --events 1000000
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 DJANGO_DEBUG=true \
        .venv/bin/python bench/bench_home.py

Prints the median and the slowest of `--repeat` requests, and each page's query count.
Not a test (timings are the machine's): the tests assert the constant query count.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from licensing import roles, selectors, services  # noqa: E402
from licensing.models import Customer, LicenseAssignment  # noqa: E402


def timed(label: str, call, repeat: int) -> None:
    call()  # warm the caches (SQLite pages, templates)
    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        call()
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    # CPU time is the process's own work (SQLite runs in it): on a busy machine the wall
    # clock also counts the time spent waiting for a core.
    print(
        f"{label:<40} median {statistics.median(times):7.1f} ms   slowest {max(times):7.1f} ms"
        f"   CPU median {statistics.median(cpu):6.1f} ms   {len(queries):3d} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--user", default="demo-sales-01", help="a seeded salesperson")
    options = parser.parse_args()
    repeat = options.repeat
    print(
        f"{connection.vendor}: {Customer.objects.count():,} customers, "
        f"{LicenseAssignment.objects.count():,} assignments"
    )
    sales = get_user_model().objects.filter(username=options.user).first()
    if sales is None:
        sys.exit("Seed the database first (manage.py seed_demo).")
    manager, _ = get_user_model().objects.get_or_create(username="bench-manager")
    manager.groups.add(Group.objects.get_or_create(name=roles.MANAGERS)[0])
    for label, user, path in (
        ("home page, a salesperson (/)", sales, "/"),
        ("home page, a manager: the team's (/)", manager, "/"),
        ("home page, a manager: only mine (none)", manager, "/?scope=mine"),
    ):
        client = Client()
        client.force_login(user)
        timed(label, lambda c=client, p=path: c.get(p), repeat)
    customer = Customer.objects.filter(assignments__isnull=False).first()
    timed(
        "forecast, every customer",
        lambda: selectors.forecast.renewal_forecast(),
        max(3, repeat // 5),
    )
    timed(
        "forecast, one customer",
        lambda: selectors.forecast.customer_forecast(customer=customer),
        repeat,
    )
    timed("send_reminders --dry-run", lambda: services.reminders_send(dry_run=True), 3)


if __name__ == "__main__":
    main()
