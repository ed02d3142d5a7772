"""Audit CSV export: wall time against the database's own CSV tool, and peak memory.

    python bench/bench_export.py [--events 1000000] [--runs 2] [--profile] [--postgres-only]

The portal side is GET /audit/export.csv through the Django test client in a fresh child
process (all middleware, the streaming response consumed to the last byte); the child
reports its time to first byte, total time and peak RSS (getrusage). On SQLite that is the
Python path (lines built by SQLite, guarded in Python); on PostgreSQL (DATABASE_URL) COPY.

References, measured in the same run, best of --runs, interleaved with the exports:
- "same query": the database's own tool running the very SELECT the export runs (joins,
  labels, formatting; on PostgreSQL the export's COPY statement, guard included, through
  `psql -c "\\copy …"` with the export's planner settings);
- "table": the tool dumping the audit table's own columns (`SELECT … ORDER BY seq`), what
  an export without the readable columns would cost.
Also, on SQLite: `manage.py export_audit > /dev/null` as a whole process (Django start
included) against `sqlite3 -csv DB "SELECT * FROM licensing_auditevent"`, at the full scale
and on the issue's independent check (a database made by `seed_demo --customers 1000
--events 300000`), and a check that the export's rows are the table's (`verify_audit
--export`). With DATABASE_URL on PostgreSQL the same export runs there too (COPY);
`--postgres-only` measures PostgreSQL alone (run_all.py's PostgreSQL run).

Goals (issue 13): SQLite within 3x, PostgreSQL within 1.5x, peak RSS under 100 MB and
flat from N/10 to N rows. --profile writes cProfile's top functions to bench/profiles/.
"""

import argparse
import cProfile
import json
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

PROFILES = common.ROOT / "bench" / "profiles"
CSV_PATH = "/audit/export.csv"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- children (a fresh interpreter per measurement) ---------------------------------------


def child(path: str, profile: str | None) -> None:
    """Export once through the view and print the figures as JSON."""
    common.setup_django()
    from django.test import Client

    client = Client()
    client.force_login(common.bench_manager())
    client.get("/audit/?action=logout")  # load templates, URLconf, the ORM's caches
    before = _rss_mb()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
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
    if profiler:
        profiler.disable()
        _write_profile(profiler, Path(profile), f"GET {path}: {elapsed:.2f} s")
    assert b'"End of export","Complete"' in last, "export did not finish"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "lines": lines - 2,
                "bytes": size,
                "seconds": elapsed,
                "first_byte_ms": (first_byte or 0) * 1000,
                "rss_before_mb": before,
                "rss_peak_mb": peak,
            }
        )
    )


def _write_profile(profiler: cProfile.Profile, target: Path, title: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w") as out:
        out.write(f"# {title}\n")
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(20)
    text = target.read_text().replace(str(common.ROOT) + "/", "").replace(".venv/lib/", "")
    target.write_text(text)


def child_sql(query: str) -> None:
    """Print the export's own SELECT for the filter in `query` (a query string), with its
    parameters inlined, as the database's own tool will run it."""
    common.setup_django()
    from django.db import connection
    from django.http import QueryDict

    from licensing import audit, forms
    from licensing.audit import export_rows

    form = forms.AuditFilterForm(QueryDict(query))
    assert form.is_valid(), form.errors
    events = audit.queries.audit_filter(filters=form.filters())
    upto = audit.queries.audit_last_seq()
    rows = audit.queries.audit_export_count(events=events, upto=upto)
    if connection.vendor == "postgresql":
        sql, params = export_rows.copy_statement(events, upto=upto)
        with connection.cursor() as cursor:
            sql = cursor.cursor.mogrify(sql, params)
        select, options = sql.removeprefix("COPY ").rsplit(" TO STDOUT WITH ", 1)
        same = f"\\copy {select} TO '/dev/null' WITH {options}"
    else:
        sql, params = export_rows.reference_select(events, upto=upto)
        literals = []
        with connection.cursor() as cursor:
            for param in params:  # SQLite's own quoting of each parameter
                cursor.execute("SELECT quote(%s)", [param])
                literals.append(cursor.fetchone()[0])
        pieces = sql.split("%s")
        assert len(pieces) == len(literals) + 1
        same = pieces[0] + "".join(a + b for a, b in zip(literals, pieces[1:], strict=True))
        same = same.replace("%%", "%")
    print(json.dumps({"same": same, "rows": rows}))


def xlsx_child() -> None:
    common.setup_django()
    from django.test import Client

    client = Client()
    client.force_login(common.bench_manager())
    client.get("/audit/?action=logout")
    started = time.perf_counter()
    response = client.get(CSV_PATH.replace(".csv", ".xlsx"))
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    from licensing.models import AuditEvent

    message = AuditEvent.objects.filter(action="audit_export").order_by("-seq").first().message
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    count = int(message.split()[1])
    print(json.dumps({"rows": count, "bytes": size, "seconds": elapsed, "rss_peak_mb": peak}))


# --- the parent ---------------------------------------------------------------------------


INDEPENDENT = {"customers": 1000, "assignments": 3000, "events": 300_000}
TABLE_COLUMNS = (
    "seq, created_at, actor_id, actor_username, ip, user_agent, request_id, action, outcome, "
    "customer_code, assignment_id, endpoint, http_status, duration_ms, message, sent, answer, "
    "prev_hash, hash_version, hash"
)
# The export's own planner settings (licensing/audit/pg_copy.py, PLANNER_SETTINGS).
PG_SETTINGS = ("SET jit = off", "SET max_parallel_workers_per_gather = 0", "SET work_mem = '64MB'")


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    with open("/dev/null", "wb") as sink:
        subprocess.run(command, stdout=sink, check=True)
    return time.perf_counter() - started


def reference_commands(url: str, same: str) -> dict[str, list[str]]:
    """The database's own tool: the export's SELECT, and the table's columns."""
    table = f"SELECT {TABLE_COLUMNS} FROM licensing_auditevent ORDER BY seq"
    if url.startswith("sqlite"):
        if not shutil.which("sqlite3"):
            raise SystemExit("sqlite3 CLI missing: apt-get install sqlite3")
        db = common.sqlite_path(url)
        return {"same": ["sqlite3", "-csv", db, same], "table": ["sqlite3", "-csv", db, table]}
    if not shutil.which("psql"):
        raise SystemExit("psql missing: apt-get install postgresql-client")
    settings = [part for setting in PG_SETTINGS for part in ("-c", setting)]
    return {
        "same": ["psql", url, *settings, "-c", same],
        "table": ["psql", url, "-c", f"\\copy ({table}) TO '/dev/null' WITH CSV"],
    }


def measure(url: str, path: str, runs: int, profile: Path | None = None) -> dict:
    """Best of `runs` exports of `path` and of each reference, interleaved (the table's
    dump only for an export of the whole table)."""
    query = path.partition("?")[2]
    sql = common.child_json("bench.bench_export", ["--child-sql", query], url)
    commands = reference_commands(url, sql["same"])
    if query:
        del commands["table"]
    best: dict = {"same": float("inf"), "table": float("inf"), "export": None}
    for attempt in range(runs):
        for name, command in commands.items():
            best[name] = min(best[name], _timed(command))
        args = ["--child", path]
        if profile is not None and attempt == 0:
            args += ["--profile-to", str(profile)]
        run = common.child_json("bench.bench_export", args, url)
        if best["export"] is None or run["seconds"] < best["export"]["seconds"]:
            best["export"] = run
    best["rows"] = sql["rows"]
    return best


def command_vs_cli(url: str, runs: int) -> tuple[float, float]:
    """(manage.py export_audit > /dev/null, sqlite3 -csv DB "SELECT * …"), best of `runs`,
    each a whole process as someone would time them from a shell."""
    export = [common.PYTHON, "manage.py", "export_audit"]
    cli = ["sqlite3", "-csv", common.sqlite_path(url), "SELECT * FROM licensing_auditevent"]
    env = common.base_env(url)
    best_export, best_cli = float("inf"), float("inf")
    for _ in range(runs):
        best_cli = min(best_cli, _timed(cli))
        started = time.perf_counter()
        with open("/dev/null", "wb") as sink:
            subprocess.run(export, stdout=sink, check=True, cwd=common.ROOT, env=env)
        best_export = min(best_export, time.perf_counter() - started)
    return best_export, best_cli


def rows_match_table(url: str) -> str:
    """Export with `manage.py export_audit`, then check the file with `verify_audit
    --export`: every row's hash recomputed from its cells, and as many rows as the table."""
    env = common.base_env(url)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "audit.csv"
        subprocess.run(
            [common.PYTHON, "manage.py", "export_audit", "--output", str(target)],
            cwd=common.ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        done = subprocess.run(
            [common.PYTHON, "manage.py", "verify_audit", "--export", str(target)],
            cwd=common.ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    if done.returncode:
        return f"verify_audit --export FAILED: {done.stderr.strip()[-300:]}"
    sql = "SELECT count(*) FROM licensing_auditevent"
    if url.startswith("sqlite"):
        command = ["sqlite3", common.sqlite_path(url), sql]
    else:
        command = ["psql", url, "-Atc", sql]
    count = subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
    return f"{done.stdout.strip()} The table held {int(count):,} rows (the export's own row last)."


def _sqlite_whole_processes(big_n: int, small_n: int, big: str, small: str, runs: int) -> None:
    """`manage.py export_audit` against the sqlite3 CLI dumping the table, as someone would
    time them from a shell: at the full scale, and on the issue's own independent check
    (`seed_demo --customers 1000 --events 300000`, then `export_audit` against
    `sqlite3 -csv` on the same file). Then the rows checked, and the XLSX export."""
    exported, cli = command_vs_cli(big, runs)
    print(
        f"SQLite, {big_n:,} rows, whole processes: `manage.py export_audit > /dev/null` "
        f'{exported:.2f} s vs `sqlite3 -csv DB "SELECT * FROM licensing_auditevent"` '
        f"{cli:.2f} s = **{exported / cli:.2f}x**."
    )
    independent = common.ensure_db("independent-300000", INDEPENDENT, postgres=False)
    exported, cli = command_vs_cli(independent, max(runs, 3))
    print(
        "The issue's independent check (`seed_demo --customers 1000 --events 300000`, its "
        f"3,000 assignments by default), the same two commands: {exported:.2f} s vs "
        f"{cli:.2f} s = **{exported / cli:.2f}x** (best of {max(runs, 3)} each). Rows equal "
        f"the table's: {rows_match_table(independent)}"
    )
    print(f"Rows equal the table's ({small_n:,}-row SQLite trail): {rows_match_table(small)}")
    xlsx = common.child_json("bench.bench_export", ["--xlsx"], small)
    print(
        f"XLSX export of {xlsx['rows']:,} rows (constant_memory, temp file): "
        f"{xlsx['seconds']:.2f} s, peak {xlsx['rss_peak_mb']:.0f} MB."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=common.FULL["events"])
    parser.add_argument("--runs", type=int, default=2, help="best of this many, each side")
    parser.add_argument("--profile", action="store_true", help="cProfile into bench/profiles/")
    parser.add_argument("--child")
    parser.add_argument("--child-sql")
    parser.add_argument("--profile-to")
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument(
        "--postgres-only", action="store_true", help="measure DATABASE_URL's PostgreSQL alone"
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.profile_to)
        return
    if args.child_sql is not None:
        child_sql(args.child_sql)
        return
    if args.xlsx:
        xlsx_child()
        return

    big_n = args.events
    small_n = max(big_n // 10, 1000)
    # The parent has no Django settings; a day either way does not matter 36 days back.
    month_ago = (datetime.now(UTC).date() - timedelta(days=36)).isoformat()
    dated = f"{CSV_PATH}?date_from={month_ago}"
    pg = common.postgres_url()
    if args.postgres_only and not pg:
        raise SystemExit("--postgres-only needs DATABASE_URL on PostgreSQL")
    sqlite_big = sqlite_small = ""
    points = []
    if not args.postgres_only:
        sqlite_big = common.ensure_scaled(big_n, postgres=False)
        sqlite_small = common.ensure_scaled(small_n, postgres=False)
        points += [
            ("SQLite", sqlite_small, CSV_PATH),
            ("SQLite", sqlite_big, CSV_PATH),
            ("SQLite", sqlite_big, dated),
        ]
    if pg:
        pg = common.ensure_scaled(big_n)
        points += [("PostgreSQL", pg, dated), ("PostgreSQL", pg, CSV_PATH)]

    info = common.machine()
    print("## Audit CSV export (GET /audit/export.csv, streamed)")
    print()
    print(
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python bench/bench_export.py "
        f"--events {big_n} --runs {args.runs}`"
        + (" and DATABASE_URL on PostgreSQL" if pg else "")
        + f". Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, "
        f"Python {info['python']}, SQLite {info['sqlite']}"
        + (f", {common.postgres_version(pg)}" if pg else "")
        + "."
    )
    print()
    print(
        f"Best of {args.runs} runs each, interleaved. **Ratio** = export ÷ the database's own "
        "tool running the export's own SELECT (joins and formatting included); **vs table** "
        "= export ÷ the same tool dumping the audit table's columns."
    )
    print()
    print(
        "| database | rows | export s | tool | same query s | **ratio** | table s | vs table "
        "| first byte ms | RSS before → peak MB |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---|")
    peaks: dict[str, list[float]] = {}
    for database, url, path in points:
        profile = None
        if args.profile and path == CSV_PATH and url != sqlite_small:
            profile = PROFILES / f"export-{database.lower()}-{big_n}.txt"
        best = measure(url, path, args.runs, profile)
        run = best["export"]
        peaks.setdefault(database, []).append(run["rss_peak_mb"])
        tool = "sqlite3 -csv" if database == "SQLite" else "psql \\copy"
        label = f"{best['rows']:,}" + (" (date filter)" if path != CSV_PATH else "")
        table = best["table"]
        if table == float("inf"):
            versus = "— | —"
        else:
            versus = f"{table:.2f} | {run['seconds'] / table:.2f}x"
        print(
            f"| {database} | {label} | {run['seconds']:.2f} | {tool} | {best['same']:.2f} | "
            f"**{run['seconds'] / best['same']:.2f}x** | {versus} | "
            f"{run['first_byte_ms']:.0f} | {run['rss_before_mb']:.0f} → {run['rss_peak_mb']:.0f} |"
        )
    print()
    for database, values in peaks.items():
        print(
            f"{database}: peak RSS {min(values):.0f}–{max(values):.0f} MB over every size "
            f"(spread {max(values) - min(values):.1f} MB; goal: flat, under 100 MB)."
        )

    if args.postgres_only:
        print(f"Rows equal the table's (PostgreSQL, {big_n:,}-row trail): {rows_match_table(pg)}")
    else:
        _sqlite_whole_processes(big_n, small_n, sqlite_big, sqlite_small, args.runs)
    if args.profile:
        print(f"Profiles (cProfile, top 20 by own time): {PROFILES.relative_to(common.ROOT)}/.")


if __name__ == "__main__":
    main()
