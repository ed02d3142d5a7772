"""Run every benchmark and write the figures to bench/RESULTS.md (`make bench`).

    python bench/run_all.py            # full scale: 1,000,000 audit rows (≈ 10-15 min here)
    python bench/run_all.py --quick    # 100,000 audit rows, fewer requests (≈ 2 min)
    python bench/run_all.py --events N

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
    args = parser.parse_args()
    events = args.events or (100_000 if args.quick else common.FULL["events"])
    requests = "10" if args.quick else "30"
    runs = [
        ("bench_export.py", ["--events", str(events)]),
        ("bench_pages.py", ["--events", str(events), "--requests", requests]),
        ("bench_catalogue.py", ["--requests", "5" if args.quick else "10"]),
        (
            "bench_gunicorn.py",
            ["--events", str(events), "--requests", "1000" if args.quick else "3000"],
        ),
    ]
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
        sections.append("\n".join(figures) + f"\n\n_{script}: {elapsed:.0f} s_")

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
