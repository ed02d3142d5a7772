"""The reports page with nothing cached, at 300,000 assignments, against one full read of
the assignments table by the database.

    python bench/bench_reports.py [--events 1000000] [--requests 30] [--url DATABASE_URL]

One fresh child process on the seeded database (`--events`: the full scale holds 300,000
assignments; DATABASE_URL picks PostgreSQL) that:
- rebuilds the roll-up (`manage.py rebuild_rollups`'s work: `seed_demo` loads assignments
  around the services) and reports how long that took, then refreshes planner statistics;
- measures, after warm-up, the reference: one full read of the assignments table
  (`SELECT COUNT(amount)`, a column no index holds) through the same connection; the
  overview selector alone; the renewal forecast shown on the same page (its own
  selector); and GET /reports/ through the test client (all middleware, template
  rendered) with the cache cleared before each request, so nothing can come from it;
- measures what the roll-up adds to a settle: `rollup_record` moving one assignment from
  "unknown" to "active" and back (rolled back), and recording an unchanged one.
Goal: uncached page p95 < 100 ms.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

WARMUP = 3


def _timed(fn, repeat: int, cpu: list[float] | None = None) -> list[float]:
    """Wall times of `repeat` calls; their CPU times (this process's) go into `cpu`."""
    times = []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(time.process_time() - started_cpu)
    return times


def child(requests: int) -> None:
    common.setup_django()
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from licensing import selectors, services
    from licensing.models import (
        AssignmentStatus,
        LicenseAssignment,
        RollupDemoLead,
        RollupEntry,
        RollupMonth,
    )

    rollup_models = (RollupMonth, RollupEntry, RollupDemoLead)

    started = time.perf_counter()
    rebuilt = services.rollup_rebuild()
    rebuild_s = time.perf_counter() - started
    # Fresh planner statistics (and on PostgreSQL a visibility map, for index-only
    # scans), as seed_demo leaves them and a DBA or autovacuum keeps them: a migration
    # that rebuilds a table on SQLite drops its statistics; the new roll-up has none.
    quote = connection.ops.quote_name
    tables = ", ".join(quote(m._meta.db_table) for m in (LicenseAssignment, *rollup_models))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else f"VACUUM ANALYZE {tables}")

    table = connection.ops.quote_name(LicenseAssignment._meta.db_table)

    def count_rows():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (a quoted name)
            return cursor.fetchone()[0]

    def read_table():
        # Reads every row once (a column no index holds): the least any report computed
        # from the assignments themselves would cost.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(amount) FROM {table}")  # noqa: S608 (a quoted name)
            return cursor.fetchone()[0]

    client = Client()
    client.force_login(common.bench_manager())

    def page():
        cache.clear()
        response = client.get("/reports/")
        assert response.status_code == 200, response.status_code

    for _ in range(WARMUP):
        read_table(), selectors.reports.overview(), page()
    with CaptureQueriesContext(connection) as captured:
        page()
    page_queries = len(captured)
    with CaptureQueriesContext(connection) as captured:
        overview = selectors.reports.overview()
    selector_queries = len(captured)
    assert overview.rollup_complete, "the roll-up misses assignments after a rebuild"

    cpu: dict[str, list[float]] = {"reference": [], "selector": [], "page": []}
    reference = _timed(read_table, requests, cpu["reference"])
    selector = _timed(selectors.reports.overview, requests, cpu["selector"])
    forecast = getattr(selectors, "forecast", None)  # another part of the page, if there
    forecast_times = _timed(forecast.renewal_forecast, requests) if forecast else []
    pages = _timed(page, requests, cpu["page"])

    # What the roll-up adds to a settle: a real move (unknown → active → unknown, rolled
    # back) and a repeated record of an unchanged assignment.
    unknown = LicenseAssignment.objects.filter(status=AssignmentStatus.UNKNOWN).first()
    record_move, record_same = [], []
    if unknown is not None:
        for _ in range(requests):
            with transaction.atomic():
                LicenseAssignment.objects.filter(pk=unknown.pk).update(
                    status=AssignmentStatus.ACTIVE, license_id=f"BENCH-{unknown.pk}"
                )
                t0 = time.perf_counter()
                services.rollup_record(assignment=unknown)
                record_move.append(time.perf_counter() - t0)
                transaction.set_rollback(True)
            record_same += _timed(lambda: services.rollup_record(assignment=unknown), 1)

    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "assignments": count_rows(),
                "rebuild_s": rebuild_s,
                "rebuilt": rebuilt.__dict__,
                "reference": common.summary_ms(reference),
                "selector": common.summary_ms(selector),
                "selector_queries": selector_queries,
                "cpu": {name: common.summary_ms(values)[0] for name, values in cpu.items()},
                "forecast": common.summary_ms(forecast_times) if forecast_times else None,
                "page": common.summary_ms(pages),
                "page_queries": page_queries,
                "record_move": common.summary_ms(record_move) if record_move else None,
                "record_same": common.summary_ms(record_same) if record_same else None,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=common.FULL["events"])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--url", help="a seeded database instead of $BENCH_DATA's")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.requests)
        return

    url = args.url or common.ensure_scaled(args.events)
    common.migrate(url)
    r = common.child_json("bench.bench_reports", ["--child", "--requests", str(args.requests)], url)
    database = "PostgreSQL" if r["vendor"] == "postgresql" else "SQLite"
    ref_median, ref_p95 = r["reference"]
    page_median, page_p95 = r["page"]
    print(f"## Reports page, nothing cached ({database}, {r['assignments']:,} assignments)")
    print()
    print(
        f"{args.requests} requests after {WARMUP} warm-up; the cache is cleared before each. "
        "Reference: one full read of the assignments table (`SELECT COUNT(amount)`) through "
        "the same connection: the least any report computed from the rows would cost. "
        f"Load average when it ended: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs."
    )
    print()
    print("| measure | median ms | p95 ms | queries | p95 vs reference | goal |")
    print("|---|---:|---:|---:|---:|---|")
    print(f"| reference: full read of the table | {ref_median:.1f} | {ref_p95:.1f} | 1 | 1x | |")
    sel_median, sel_p95 = r["selector"]
    print(
        f"| overview selector | {sel_median:.1f} | {sel_p95:.1f} | {r['selector_queries']} | "
        f"{sel_p95 / ref_p95:.1f}x | |"
    )
    if r["forecast"]:
        fc_median, fc_p95 = r["forecast"]
        print(
            f"| renewal forecast (`selectors.forecast`, on the same page) | {fc_median:.1f} | "
            f"{fc_p95:.1f} | | {fc_p95 / ref_p95:.1f}x | |"
        )
    goal = "met" if page_p95 < 100 else "MISSED"
    print(
        f"| GET /reports/ (uncached) | {page_median:.1f} | {page_p95:.1f} | {r['page_queries']} | "
        f"{page_p95 / ref_p95:.1f}x | < 100 ms: {goal} |"
    )
    print()
    rebuilt = r["rebuilt"]
    print(
        f"Roll-up rebuild (`manage.py rebuild_rollups`): {r['rebuild_s']:.1f} s for "
        f"{rebuilt['assignments']:,} settled assignments into {rebuilt['buckets']:,} month rows "
        f"and {rebuilt['demo_leads']:,} demo leads."
    )
    cpu = r["cpu"]
    if r["vendor"] == "sqlite":  # the database works in this process: its CPU time counts
        print(
            f"CPU time of this process, median (wall time less the waits for a shared "
            f"machine's cores): reference {cpu['reference']:.1f} ms, overview selector "
            f"{cpu['selector']:.1f} ms, page {cpu['page']:.1f} ms."
        )
    if r["record_move"]:
        move, same = r["record_move"], r["record_same"]
        print(
            f"Added to a settle's transaction by `rollup_record`: {move[0]:.2f} ms median "
            f"(p95 {move[1]:.2f}) when the assignment moves; {same[0]:.2f} ms when unchanged."
        )


if __name__ == "__main__":
    main()
