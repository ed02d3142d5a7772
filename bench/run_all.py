"""Run every benchmark and write the figures to bench/RESULTS.md (`make bench`).

    python bench/run_all.py            # full scale: 1,000,000 audit rows (≈ 10-15 min here)
    python bench/run_all.py --quick    # 100,000 audit rows, fewer requests (≈ 2 min)
    python bench/run_all.py --events N
    python bench/run_all.py --only bench_export.py   # rerun one; its section is replaced

Figures, not pass/fail: each benchmark prints ratios against a reference measured in the
same run. Seeded databases are kept in bench/.data/ for the next run.
"""

import argparse
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

RESULTS = common.ROOT / "bench" / "RESULTS.md"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print only, keep RESULTS.md")
    parser.add_argument("--only", action="append", help="run only this script (repeatable)")
    args = parser.parse_args()
    events = args.events or (100_000 if args.quick else common.FULL["events"])
    requests = "10" if args.quick else "30"
    runs = [
        ("bench_export.py", ["--events", str(events), "--profile"]),
        # Before bench_pages: it rebuilds the reports' roll-up that seed_demo leaves empty.
        ("bench_reports.py", ["--events", str(events), "--requests", requests]),
        ("bench_search.py", ["--events", str(events), "--rounds", "3" if args.quick else "5"]),
        ("bench_pages.py", ["--events", str(events), "--requests", requests]),
        ("bench_catalogue.py", ["--requests", "5" if args.quick else "10"]),
        (
            "bench_gunicorn.py",
            ["--events", str(events), "--requests", "1000" if args.quick else "3000"],
        ),
    ]
    if args.only:
        unknown = set(args.only) - {script for script, _ in runs}
        if unknown:
            raise SystemExit(f"No such benchmark: {', '.join(sorted(unknown))}")
        runs = [run for run in runs if run[0] in args.only]
    started = time.monotonic()
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
        figures = [line for line in output.splitlines() if not line.startswith("  seed")]
        sections.append(
            f"<!-- {script} -->\n"
            + "\n".join(figures)
            + f"\n\n_{script}: {elapsed:.0f} s_\n<!-- end {script} -->"
        )
        if args.only and not args.no_write:
            _replace_section(script, sections[-1])

    if args.only:
        return

    total = time.monotonic() - started
    info = common.machine()
    header = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python bench/run_all.py"
        + (f" --events {events}`" if events != common.FULL["events"] else "`")
        + f", {total / 60:.1f} min in all (seeding included when the databases were new).",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, "
        f"Python {info['python']}, SQLite {info['sqlite']}, {info['os']}.",
        f"Database: {'PostgreSQL (DATABASE_URL)' if common.postgres_url() else 'SQLite (file)'}.",
        "",
    ]
    body = "\n".join(header) + "\n" + "\n\n".join(sections) + "\n"
    if not args.no_write:
        notes = _kept_notes()
        RESULTS.write_text(body + notes)
        print(f"\nWrote {RESULTS.relative_to(common.ROOT)} ({total / 60:.1f} min).")


def _replace_section(script: str, section: str) -> None:
    """Put `section` in RESULTS.md where the script's figures were (between its markers,
    or from its heading to its "_script: N s_" line), or before the hand-written notes."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    start_mark, end_mark = f"<!-- {script} -->", f"<!-- end {script} -->"
    heading = section.splitlines()[1] if len(section.splitlines()) > 1 else ""
    footer = f"\n_{script}: "
    if start_mark in text and end_mark in text:
        start = text.index(start_mark)
        end = text.index(end_mark) + len(end_mark)
    elif heading.startswith("## ") and heading in text and footer in text:
        start = text.index(heading)
        end = text.index("\n", text.index(footer, start) + 1)
    else:
        marker = "\n## Reading the figures"
        start = end = text.index(marker) + 1 if marker in text else len(text)
        section += "\n\n"
    RESULTS.write_text(text[:start] + section + text[end:])
    print(f"\nReplaced the {script} section of {RESULTS.name}.")


def _kept_notes() -> str:
    """The hand-written "Reading the figures" section of RESULTS.md survives a rerun."""
    marker = "\n## Reading the figures"
    if RESULTS.exists():
        text = RESULTS.read_text()
        if marker in text:
            return text[text.index(marker) :]
    return ""


if __name__ == "__main__":
    main()
