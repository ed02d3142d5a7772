"""Run every benchmark on one database and write its figures to bench/RESULTS.md
(`make bench`).

    python bench/run_all.py            # full scale: 1,000,000 audit rows (≈ 10-15 min here)
    python bench/run_all.py --quick    # 100,000 audit rows, fewer requests (≈ 2 min)
    python bench/run_all.py --events N
    python bench/run_all.py --only bench_export.py   # rerun one; its section is replaced
    DATABASE_URL=postgres://… python bench/run_all.py   # the same on PostgreSQL

Figures, not pass/fail: each benchmark prints ratios against a reference measured in the
same run. RESULTS.md holds one part per database (SQLite, PostgreSQL): a run replaces its
own database's part and leaves the other's, and the hand-written notes at the end. Seeded
databases are kept in $BENCH_DATA (default /tmp/portal-bench/) for the next run.
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

RESULTS = common.ROOT / "bench" / "RESULTS.md"
NOTES = "\n## Reading the figures"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print only, keep RESULTS.md")
    parser.add_argument("--only", action="append", help="run only this script (repeatable)")
    args = parser.parse_args()
    events = args.events or (100_000 if args.quick else common.FULL["events"])
    requests = "10" if args.quick else "30"
    pg = common.postgres_url()
    database = "PostgreSQL" if pg else "SQLite"
    runs = [
        (
            "bench_export.py",
            ["--events", str(events), "--profile", *(["--postgres-only"] if pg else [])],
        ),
        # Before bench_pages: it rebuilds the reports' roll-up that seed_demo leaves empty.
        ("bench_reports.py", ["--events", str(events), "--requests", requests]),
        ("bench_home.py", ["--events", str(events), "--requests", requests]),
        ("bench_search.py", ["--events", str(events), "--rounds", "3" if args.quick else "5"]),
        ("bench_pages.py", ["--events", str(events), "--requests", requests]),
        (
            "bench_gunicorn.py",
            ["--events", str(events), "--requests", "1000" if args.quick else "3000"],
        ),
    ]
    if not pg:  # a tiny SQLite database and a fake vendor: nothing PostgreSQL would change
        runs.append(("bench_catalogue.py", ["--requests", "5" if args.quick else "10"]))
    if args.only:
        unknown = set(args.only) - {script for script, _ in runs}
        if unknown:
            raise SystemExit(f"No such benchmark here: {', '.join(sorted(unknown))}")
        runs = [run for run in runs if run[0] in args.only]
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    sections = []
    for script, script_args in runs:
        print(f"\n### {script} {' '.join(script_args)}", flush=True)
        t0 = time.monotonic()
        done = subprocess.run(
            [sys.executable, str(common.ROOT / "bench" / script), *script_args],
            cwd=common.ROOT,
            capture_output=True,
            text=True,
        )
        elapsed = time.monotonic() - t0
        output = done.stdout.strip()
        print(output, flush=True)
        if done.returncode:
            print(done.stderr[-3000:], file=sys.stderr)
            output += f"\n\n**{script} failed** (exit {done.returncode}); see its stderr."
        figures = [line for line in output.splitlines() if not line.lstrip().startswith("seed")]
        # One level down: the database's part is the "##" heading.
        figures = [f"#{line}" if line.startswith("## ") else line for line in figures]
        sections.append(
            f"<!-- {script} -->\n"
            + "\n".join(figures)
            + f"\n\n_{script}: {elapsed:.0f} s_\n<!-- end {script} -->"
        )
        if args.only and not args.no_write:
            _replace_section(database, script, sections[-1])

    if args.only:
        return

    total = time.monotonic() - started
    info = common.machine()
    version = f", {common.postgres_version(pg)}" if pg else ""
    part = [
        f"## {database}",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with "
        + ("`DATABASE_URL=postgres://… " if pg else "`")
        + "python bench/run_all.py"
        + (f" --events {events}`" if events != common.FULL["events"] else "`")
        + f", {total / 60:.1f} min in all (seeding included when the databases were new). "
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, Python "
        f"{info['python']}, SQLite {info['sqlite']}{version}, {info['os']}. Load average "
        f"(1 min) {load_before:.1f} when it started, {os.getloadavg()[0]:.1f} when it ended: "
        "the machine is shared, see the notes.",
        "",
    ]
    body = "\n".join(part) + "\n" + "\n\n".join(sections) + "\n"
    if args.no_write:
        return
    _replace_part(database, body)
    print(
        f"\nWrote the {database} part of {RESULTS.relative_to(common.ROOT)} ({total / 60:.1f} min)."
    )


def _markers(database: str) -> tuple[str, str]:
    return f"<!-- database: {database} -->", f"<!-- end database: {database} -->"


def _replace_part(database: str, body: str) -> None:
    """Put `body` in RESULTS.md as the database's part: where it was, or (SQLite first)
    before the hand-written notes."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    start_mark, end_mark = _markers(database)
    block = f"{start_mark}\n{body}{end_mark}\n"
    if start_mark in text and end_mark in text:
        start = text.index(start_mark)
        end = text.index(end_mark) + len(end_mark) + 1
    else:
        other = text.find("<!-- database: ")
        notes = text.index(NOTES) + 1 if NOTES in text else len(text)
        start = end = min(other, notes) if database == "SQLite" and other >= 0 else notes
        block += "\n"
    RESULTS.write_text(text[:start] + block + text[end:])


def _replace_section(database: str, script: str, section: str) -> None:
    """Put `section` in the database's part of RESULTS.md where the script's figures were,
    or at the end of that part."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    start_mark, end_mark = _markers(database)
    if start_mark not in text or end_mark not in text:
        _replace_part(database, f"## {database}\n\n{section}\n")
        return
    part_start = text.index(start_mark)
    part_end = text.index(end_mark)
    part = text[part_start:part_end]
    first, last = f"<!-- {script} -->", f"<!-- end {script} -->"
    if first in part and last in part:
        start = part_start + part.index(first)
        end = part_start + part.index(last) + len(last)
        text = text[:start] + section + text[end:]
    else:
        text = text[:part_end] + section + "\n\n" + text[part_end:]
    RESULTS.write_text(text)
    print(f"\nReplaced the {script} section of the {database} part of {RESULTS.name}.")


if __name__ == "__main__":
    main()
