"""Server time and query count per page, on a tiny database and on the full-scale one.

    python bench/bench_pages.py [--events 1000000] [--requests 30]

In-process Django test client (all middleware, templates rendered, no network), one fresh
child process per database. Per page: median and p95 of the wall time of `client.get`
after warm-up requests, and the number of queries of one request. Goals: p95 < 100 ms and
the same query count with 10 rows as with the full scale.
"""

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

WARMUP = 3


COLD = "reports, period figures not cached"


def pages() -> list[tuple[str, str]]:
    """(label, path) for the pages measured, with ids picked from the database."""
    from django.utils import timezone

    from licensing.models import AuditEvent, LicenseAssignment

    # A customer with assignments, in the tiny database as in the full one.
    code = (
        LicenseAssignment.objects.order_by("-created_at")
        .values_list("customer__customer_code", flat=True)
        .first()
    )
    last_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    middle = last_seq // 2
    deep_page = max(1, min(20, last_seq // 100))
    long_ago = (timezone.localdate() - timedelta(days=300)).isoformat()
    return [
        ("customer list", "/customers/"),
        ("customer search", "/customers/?q=Alpine"),
        ("customer page", f"/customers/{code}/"),
        ("audit list", "/audit/"),
        ("audit list, action filter", "/audit/?action=license_assign"),
        ("audit list, deep keyset page", f"/audit/?before={middle}"),
        ("audit list, customer filter", f"/audit/?customer={code}"),
        ("audit list, dates 10 months ago", f"/audit/?date_from={long_ago}&date_to={long_ago}"),
        ("reports", "/reports/"),
        (COLD, "/reports/"),
        ("admin index", "/admin/"),
        ("admin customers", "/admin/licensing/customer/"),
        ("admin customers, search", "/admin/licensing/customer/?q=Alpine"),
        ("admin assignments", "/admin/licensing/licenseassignment/"),
        ("admin assignments, unknown", "/admin/licensing/licenseassignment/?status__exact=unknown"),
        ("admin assignments, search code", f"/admin/licensing/licenseassignment/?q={code}"),
        ("admin assignments, search name", "/admin/licensing/licenseassignment/?q=Alpine"),
        ("admin audit", "/admin/licensing/auditevent/"),
        ("admin audit, action filter", "/admin/licensing/auditevent/?action__exact=login"),
        ("admin audit, page 20 (or last)", f"/admin/licensing/auditevent/?p={deep_page}"),
        ("admin audit, customer", f"/admin/licensing/auditevent/?customer_code={code}"),
        ("admin audit, search code", f"/admin/licensing/auditevent/?q={code}"),
        ("admin audit, search user", "/admin/licensing/auditevent/?q=demo-sales-03"),
    ]


def child(requests: int) -> None:
    common.setup_django()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(common.bench_manager())
    results = []
    for label, path in pages():
        for _ in range(WARMUP):
            status = client.get(path).status_code
        assert status == 200, (path, status)
        cold = label == COLD
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = len(captured)  # now: the next request clears the log
        times = []
        for _ in range(requests):
            if cold:
                cache.clear()
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
        median, p95 = common.summary_ms(times)
        results.append({"label": label, "median": median, "p95": p95, "queries": queries})
    print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=common.FULL["events"])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.requests)
        return

    tiny = common.ensure_db("tiny", common.TINY, postgres=False)
    full = common.ensure_scaled(args.events)
    run = ["--child", "--requests", str(args.requests)]
    small = {r["label"]: r for r in common.child_json("bench.bench_pages", run, tiny)}
    large = common.child_json("bench.bench_pages", run, full)

    print(f"## Pages: server time per request ({args.requests} requests after {WARMUP} warm-up)")
    print()
    print(f"10 rows per table vs {common.scaled(args.events)}; goal p95 < 100 ms, same queries.")
    print()
    print("| page | median ms | p95 ms | queries | at 10 rows: p95 ms | queries | goal |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for row in large:
        ref = small[row["label"]]
        ok = row["p95"] < 100 and row["queries"] == ref["queries"]
        print(
            f"| {row['label']} | {row['median']:.1f} | {row['p95']:.1f} | {row['queries']} | "
            f"{ref['p95']:.1f} | {ref['queries']} | {'met' if ok else 'MISSED'} |"
        )


if __name__ == "__main__":
    main()
