"""Audit CSV export: wall time against the database's own CSV tool, and peak memory.

    python bench/bench_export.py [--events 1000000]

Reference, measured in the same run over the same rows and columns:
- SQLite: `sqlite3 -csv -header DB "SELECT … ORDER BY seq" > /dev/null`;
- PostgreSQL (DATABASE_URL): `psql -c "\\copy (SELECT … ORDER BY seq) TO '/dev/null' CSV HEADER"`.

The portal side is GET /audit/export.csv through the Django test client in a fresh child
process (all middleware, the streaming response consumed to the last byte); the child
reports its time to first byte, total time and peak RSS (getrusage), at N/10 and N rows.
Goals: within 3x of the reference, under 100 MB, flat between the two sizes.
"""

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

COLUMNS = (
    "seq, created_at, actor_id, actor_username, ip, user_agent, request_id, action, outcome, "
    "customer_code, assignment_id, endpoint, http_status, duration_ms, message, sent, answer, "
    "prev_hash, hash"
)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(path: str) -> None:
    """Export once through the view and print the figures as JSON."""
    common.setup_django()
    from django.test import Client

    client = Client()
    client.force_login(common.bench_manager())
    client.get("/audit/?action=logout")  # load templates, URLconf, the ORM's caches
    before = _rss_mb()
    started = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    first_byte, size, lines = None, 0, 0
    last = b""
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
        last = chunk
    elapsed = time.perf_counter() - started
    assert last.rstrip().endswith(b",complete"), "export did not finish"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rows": lines - 2,
                "bytes": size,
                "seconds": elapsed,
                "first_byte_ms": (first_byte or 0) * 1000,
                "rss_before_mb": before,
                "rss_peak_mb": peak,
            }
        )
    )


def reference(url: str) -> tuple[str, float]:
    """(tool, seconds) for the database's own CSV dump of the same rows."""
    query = f"SELECT {COLUMNS} FROM licensing_auditevent ORDER BY seq"
    if url.startswith("sqlite"):
        if not shutil.which("sqlite3"):
            raise SystemExit("sqlite3 CLI missing: apt-get install sqlite3")
        command = ["sqlite3", "-csv", "-header", common.sqlite_path(url), query]
        tool = "sqlite3 -csv"
    else:
        if not shutil.which("psql"):
            raise SystemExit("psql missing: apt-get install postgresql-client")
        command = ["psql", url, "-c", f"\\copy ({query}) TO '/dev/null' WITH CSV HEADER"]
        tool = "psql \\copy"
    best = float("inf")
    for _ in range(2):  # the second run reads a warm page cache, as the export did
        started = time.perf_counter()
        with open("/dev/null", "wb") as sink:
            subprocess.run(command, stdout=sink, check=True)
        best = min(best, time.perf_counter() - started)
    return tool, best


def measure(url: str, path: str) -> dict:
    return common.child_json("bench.bench_export", ["--child", path], url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=common.FULL["events"])
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    big_n = args.events
    small_n = max(big_n // 10, 1000)
    big = common.ensure_scaled(big_n)
    small = common.ensure_scaled(small_n, postgres=False)

    print("## Audit CSV export (GET /audit/export.csv, streamed)")
    print()
    print(
        "| database | rows | export s | reference | ref s | ratio | first byte ms "
        "| RSS before → peak MB |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---|")
    results = {}
    for label, url in ((small_n, small), (big_n, big)):
        tool, ref = reference(url)
        run = measure(url, "/audit/export.csv")
        results[label] = run
        database = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
        print(
            f"| {database} | {run['rows']:,} | {run['seconds']:.2f} | {tool} | {ref:.2f} | "
            f"{run['seconds'] / ref:.1f}x | {run['first_byte_ms']:.0f} | "
            f"{run['rss_before_mb']:.0f} → {run['rss_peak_mb']:.0f} |"
        )
    growth = results[big_n]["rss_peak_mb"] - results[small_n]["rss_peak_mb"]
    print()
    print(
        f"Peak RSS grows by {growth:+.1f} MB from {small_n:,} to {big_n:,} rows "
        f"(goal: flat, under 100 MB)."
    )

    # The parent process has no Django settings; a day either way does not matter 36 days back.
    month_ago = (datetime.now(UTC).date() - timedelta(days=36)).isoformat()
    dated = measure(big, f"/audit/export.csv?date_from={month_ago}")
    print(
        f"Filtered export (date_from={month_ago}) of the {big_n:,}-row trail: "
        f"{dated['rows']:,} rows in {dated['seconds']:.2f} s, peak {dated['rss_peak_mb']:.0f} MB "
        f"(all {big_n:,} rows: {results[big_n]['rss_peak_mb']:.0f} MB)."
    )
    xlsx = common.child_json("bench.bench_export", ["--xlsx"], small)
    print(
        f"XLSX export of {xlsx['rows']:,} rows (constant_memory, temp file): "
        f"{xlsx['seconds']:.2f} s, peak {xlsx['rss_peak_mb']:.0f} MB."
    )


def xlsx_child() -> None:
    common.setup_django()
    from django.test import Client

    client = Client()
    client.force_login(common.bench_manager())
    client.get("/audit/?action=logout")
    started = time.perf_counter()
    response = client.get("/audit/export.xlsx")
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    from licensing.models import AuditEvent

    rows = AuditEvent.objects.filter(action="audit_export").order_by("-seq").first().message
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    count = int(rows.split()[1])
    print(json.dumps({"rows": count, "bytes": size, "seconds": elapsed, "rss_peak_mb": peak}))


if __name__ == "__main__":
    if sys.argv[1:] == ["--xlsx"]:
        xlsx_child()
    else:
        main()
