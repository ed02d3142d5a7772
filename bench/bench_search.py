"""Customer name search at 100,000 customers: p95 against one full read of the names by
the database, and on PostgreSQL with and without the trigram index.

    python bench/bench_search.py [--events 1000000] [--rounds 5] [--url DATABASE_URL]

One fresh child process on the seeded database (`--events`: the full scale holds 100,000
customers; DATABASE_URL picks PostgreSQL) runs what the customer list does for a search
(`selectors.customer_search`, then its page: a COUNT and the first 25 rows by name) and
what the admin's customer search does (`CustomerAdmin.get_search_results` and its
ordering, then the same), for a fixed set of terms people type: whole and partial words
of the seeded names, an e-mail fragment, a term that matches nothing. Each term runs
`--rounds` times after a warm-up; p95 is over every timing. Terms that match every
customer (where counting them is the work, index or not) are measured and shown apart.

Reference: one full read of the customers' names (`SELECT COUNT(name)`) through the same
connection, the least a search without an index costs. On PostgreSQL the same terms run
again with bitmap scans disabled for the session: the only way a GIN index is read, so
that is the search without the trigram index, on the same data in the same run.
Goal: PostgreSQL p95 < 30 ms.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

# Seeded names are "<Word> <Trade> <Form>" (seed_demo); e-mails admin@c<code>.example.com.
# What people type to find a customer: whole and partial words, two words, an e-mail
# fragment, a miss. The p95 goal is over these.
TERMS = [
    "Alpine",
    "alp",
    "Zenit",
    "harbour print",
    "Dental",
    "ental",
    "Logistics",
    "pharm",
    "Quarzo Hotel",
    "GmbH",
    "Sole Media",
    "terra",
    "c5000123",
    "Nothing like it",
    "xyzzy",
]
# Terms that match (nearly) every customer: the COUNT of the page is the work, whatever
# the index. Measured and shown apart.
BROAD = ["example.com", "a"]
PAGE = 25


def child(rounds: int) -> None:
    common.setup_django()
    from django.contrib import admin
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import RequestFactory

    from licensing import selectors
    from licensing.models import Customer

    table = connection.ops.quote_name(Customer._meta.db_table)
    model_admin = admin.site._registry[Customer]
    request = RequestFactory().get("/admin/licensing/customer/")
    request.user = common.bench_manager()

    def count_rows():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (a quoted name)
            return cursor.fetchone()[0]

    def read_names():
        # Reads every row's name: the least a search without an index must do.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(name) FROM {table}")  # noqa: S608 (a quoted name)
            return cursor.fetchone()[0]

    def portal(term):
        page = Paginator(selectors.customer_search(query=term), PAGE).get_page(1)
        return page.paginator.count, list(page)

    def in_admin(term):
        searching = RequestFactory().get("/admin/licensing/customer/", {"q": term})
        searching.user = request.user
        found, _ = model_admin.get_search_results(searching, Customer.objects.all(), term)
        found = found.order_by(*model_admin.get_ordering(searching))
        return found.count(), list(found[:PAGE])

    def measure(search, terms) -> dict:
        times, per_term = [], {}
        for term in terms:
            found = search(term)[0]  # warm-up, and the number found
            mine = []
            for _ in range(rounds):
                started = time.perf_counter()
                search(term)
                mine.append(time.perf_counter() - started)
            times += mine
            per_term[term] = (found, statistics.median(mine) * 1000)
        median, p95 = common.summary_ms(times)
        return {"median": median, "p95": p95, "terms": per_term}

    reference = []
    for _ in range(rounds * 4):
        started = time.perf_counter()
        read_names()
        reference.append(time.perf_counter() - started)
    result = {
        "vendor": connection.vendor,
        "customers": count_rows(),
        "reference": common.summary_ms(reference),
        "portal": measure(portal, TERMS),
        "admin": measure(in_admin, TERMS),
        "broad": measure(portal, BROAD),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                [Customer._meta.db_table, "%gin_trgm_ops%"],
            )
            result["trigram_indexes"] = [row[0] for row in cursor.fetchall()]
            cursor.execute("EXPLAIN " + _sql(selectors.customer_search(query="Alpine")))
            result["plan"] = [row[0] for row in cursor.fetchall()]
            cursor.execute("SET enable_bitmapscan = off")
        result["portal_without_index"] = measure(portal, TERMS)
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_bitmapscan")
    print(json.dumps(result))


def _sql(queryset) -> str:
    """The query's SQL with its parameters in (for EXPLAIN)."""
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        text = cursor.mogrify(sql, params)
    return text.decode() if isinstance(text, bytes) else text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=common.FULL["events"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--url", help="a seeded database instead of $BENCH_DATA's")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.rounds)
        return

    url = args.url or common.ensure_scaled(args.events)
    common.migrate(url)
    r = common.child_json("bench.bench_search", ["--child", "--rounds", str(args.rounds)], url)
    postgres = r["vendor"] == "postgresql"
    database = "PostgreSQL" if postgres else "SQLite"
    ref_p95 = r["reference"][1]
    print(f"## Customer name search ({database}, {r['customers']:,} customers)")
    print()
    print(
        f"{len(TERMS)} terms x {args.rounds} rounds after a warm-up; each search is a COUNT "
        f"and the first {PAGE} rows by name. Reference: one full read of the customers' "
        "names (`SELECT COUNT(name)`) through the same connection. "
        f"Load average when it ended: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs."
    )
    print()
    print("| search | median ms | p95 ms | p95 vs reference | goal |")
    print("|---|---:|---:|---:|---|")
    ref_median = r["reference"][0]
    print(f"| reference: full read of the names | {ref_median:.1f} | {ref_p95:.1f} | 1x | |")
    rows = [("customer list search", r["portal"]), ("admin customer search", r["admin"])]
    if postgres:
        rows.append(("customer list search, trigram index not used", r["portal_without_index"]))
    rows.append((f"broad terms ({', '.join(map(repr, BROAD))}), customer list", r["broad"]))
    for label, m in rows:
        goal = ""
        if postgres and label in ("customer list search", "admin customer search"):
            goal = f"< 30 ms: {'met' if m['p95'] < 30 else 'MISSED'}"
        print(
            f"| {label} | {m['median']:.1f} | {m['p95']:.1f} | {m['p95'] / ref_p95:.1f}x | {goal} |"
        )
    print()
    without = r.get("portal_without_index", {}).get("terms", {})
    header = "| term | matches | list ms (median) | admin ms |"
    print(header + (" list ms, no trigram index |" if without else ""))
    print("|---|---:|---:|---:|" + ("---:|" if without else ""))
    for term, (found, ms) in {**r["portal"]["terms"], **r["broad"]["terms"]}.items():
        admin_ms = r["admin"]["terms"].get(term, (0, None))[1]
        cells = [
            repr(term),
            f"{found:,}",
            f"{ms:.1f}",
            "" if admin_ms is None else f"{admin_ms:.1f}",
        ]
        if without:
            cells.append(f"{without[term][1]:.1f}" if term in without else "")
        print("| " + " | ".join(cells) + " |")
    if postgres:
        print()
        print(
            f"Trigram indexes: {', '.join(r['trigram_indexes']) or 'none'}. Plan for 'Alpine': "
            + " / ".join(line.strip().lstrip("-> ") for line in r["plan"] if "Scan" in line)
            + "."
        )


if __name__ == "__main__":
    main()
