"""The catalogue page with the vendor 300 ms away: cached against uncached.

    python bench/bench_catalogue.py [--latency 0.3] [--requests 20]

The built-in sandbox answers with the given latency per call; the page is fetched through
the Django test client in a child process. Three cases: a cold cache (directories and
catalogue asked of the vendor), a catalogue miss (directories cached: a customer's first
visit), and a warm cache.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


def child(latency: float, requests: int) -> None:
    common.setup_django()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from licensing import selectors
    from licensing.models import Customer
    from licensing.upstream.sandbox import SEED_CUSTOMERS
    from licensing.upstream.sandbox.server import start_sandbox

    sandbox = start_sandbox(port=0, latency=latency)
    settings.FLASHSTART_API_URL = sandbox.url
    settings.FLASHSTART_API_KEY = sandbox.api_key
    seed = SEED_CUSTOMERS[0]
    customer, _ = Customer.objects.get_or_create(
        customer_code=seed["customer_code"], defaults={"name": seed["name"], "language": "en"}
    )
    path = f"/customers/{customer.customer_code}/catalogue/"
    key = selectors.CatalogueFilters(lang=customer.language).cache_key(customer.customer_code)
    client = Client()
    client.force_login(common.bench_manager())

    def timed(prepare) -> list[float]:
        times = []
        for _ in range(requests):
            prepare()
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200 and b"could not be loaded" not in response.content
        return times

    client.get(path)  # warm-up: templates, URLconf, first connection
    cases = {
        "cold cache (every vendor call)": timed(cache.clear),
        "catalogue miss (directories cached)": timed(lambda: cache.delete(key)),
        "warm cache": timed(lambda: None),
    }
    sandbox.stop()
    print(json.dumps({name: common.summary_ms(times) for name, times in cases.items()}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.latency, args.requests)
        return
    url = common.ensure_db("tiny", common.TINY, postgres=False)
    figures = common.child_json(
        "bench.bench_catalogue",
        ["--child", "--latency", str(args.latency), "--requests", str(args.requests)],
        url,
    )
    print(f"## Catalogue page, vendor latency {args.latency * 1000:.0f} ms per call")
    print()
    print("| case | median ms | p95 ms | vs warm cache |")
    print("|---|---:|---:|---:|")
    warm = figures["warm cache"][0]
    for name, (median, p95) in figures.items():
        print(f"| {name} | {median:.1f} | {p95:.1f} | {median / warm:.0f}x |")


if __name__ == "__main__":
    main()
