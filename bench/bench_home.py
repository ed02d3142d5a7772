"""The home page, the renewal forecast and a reminders dry run on the seeded database,
as ratios against references measured in the same run.

    python bench/bench_home.py [--events 1000000] [--requests 30] [--url DATABASE_URL]

One fresh child process on the seeded database (`--events`: the full scale holds 300,000
assignments and 100,000 customers; DATABASE_URL picks PostgreSQL) measures, after warm-up,
interleaved round by round so that the machine's load falls on every measure alike:
- the references: GET /bench/trivial/ through the same test client (the request cycle
  with every middleware: what any page costs at least), and one full read of the
  assignments table (`SELECT COUNT(amount)`, a column no index holds: what a page
  computed from every assignment would cost at least);
- GET / for a salesperson, for a manager (the team's work) and for a manager's own
  (none), the renewal forecast over every customer and over one customer, and
  `send_reminders --dry-run`'s planning (`services.reminders_send(dry_run=True)`).
Prints the median and p95 of each, its query count, and its median as a multiple of each
reference's median. Figures, not pass/fail: the tests assert the constant query counts.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

WARMUP = 2


def child(requests: int, user: str) -> None:
    common.setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from licensing import selectors, services
    from licensing.models import Customer, LicenseAssignment

    sales = get_user_model().objects.filter(username=user).first()
    if sales is None:
        raise SystemExit(f"No user {user!r}: seed the database first (manage.py seed_demo).")
    manager = common.bench_manager()
    table = connection.ops.quote_name(LicenseAssignment._meta.db_table)

    def read_table():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(amount) FROM {table}")  # noqa: S608 (a quoted name)
            return cursor.fetchone()[0]

    def getter(who, path):
        client = Client()
        client.force_login(who)

        def get():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return get

    customer = Customer.objects.filter(assignments__isnull=False).first()
    measures = {
        "trivial": (
            "reference: GET /bench/trivial/ (request cycle)",
            getter(manager, "/bench/trivial/"),
        ),
        "table": ("reference: full read of the assignments", read_table),
        "home_sales": ("home page, a salesperson (/)", getter(sales, "/")),
        "home_team": ("home page, a manager: the team's (/)", getter(manager, "/")),
        "home_mine": (
            "home page, a manager: only mine (/?scope=mine)",
            getter(manager, "/?scope=mine"),
        ),
        "forecast_all": ("renewal forecast, every customer", selectors.forecast.renewal_forecast),
        "forecast_one": (
            "renewal forecast, one customer",
            lambda: selectors.forecast.customer_forecast(customer=customer),
        ),
        "reminders": (
            "send_reminders --dry-run (planning only)",
            lambda: services.reminders_send(dry_run=True),
        ),
    }
    queries = {}
    for name, (_label, call) in measures.items():
        for _ in range(WARMUP):
            call()
        with CaptureQueriesContext(connection) as captured:
            call()
        queries[name] = len(captured)
    times: dict[str, list[float]] = {name: [] for name in measures}
    cpu: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(requests):  # one round of every measure at a time: the load falls alike
        for name, (_label, call) in measures.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            call()
            times[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "customers": Customer.objects.count(),
                "assignments": LicenseAssignment.objects.count(),
                "measures": [
                    {
                        "name": name,
                        "label": label,
                        "ms": common.summary_ms(times[name]),
                        "cpu_ms": common.summary_ms(cpu[name])[0],
                        "queries": queries[name],
                    }
                    for name, (label, _call) in measures.items()
                ],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=common.FULL["events"])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--user", default="demo-sales-01", help="a seeded salesperson")
    parser.add_argument("--url", help="an already seeded database instead of $BENCH_DATA's")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.requests, args.user)
        return

    url = args.url or common.ensure_scaled(args.events)
    common.migrate(url)
    run = ["--child", "--requests", str(args.requests), "--user", args.user]
    r = common.child_json("bench.bench_home", run, url)
    database = "PostgreSQL" if r["vendor"] == "postgresql" else "SQLite"
    by_name = {m["name"]: m for m in r["measures"]}
    trivial, table = by_name["trivial"]["ms"][0], by_name["table"]["ms"][0]
    print(
        f"## Home page, forecast, reminders ({database}, {r['customers']:,} customers, "
        f"{r['assignments']:,} assignments)"
    )
    print()
    print(
        f"{args.requests} rounds after {WARMUP} warm-up, every measure once per round. Ratios "
        "are medians against the references measured in the same rounds: the trivial view "
        "(Django's request cycle, all middleware) and one full read of the assignments table "
        f"(`SELECT COUNT(amount)`). Load average when it ended: {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs."
    )
    print()
    print("| measure | median ms | p95 ms | queries | vs trivial view | vs full read |")
    print("|---|---:|---:|---:|---:|---:|")
    for m in r["measures"]:
        median, p95 = m["ms"]
        print(
            f"| {m['label']} | {median:.1f} | {p95:.1f} | {m['queries']} | "
            f"{median / trivial:.1f}x | {median / table:.2f}x |"
        )
    if r["vendor"] == "sqlite":  # the database works in this process: its CPU time counts
        cpu = ", ".join(f"{m['name']} {m['cpu_ms']:.1f}" for m in r["measures"])
        print()
        print(f"CPU time of this process, median ms (SQLite runs in it): {cpu}.")


if __name__ == "__main__":
    main()
