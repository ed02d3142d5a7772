"""`python -m portal.healthcheck`: exit 0 when the local portal answers /healthz with 200.

The container's HEALTHCHECK runs this (the slim image has no curl). It asks the server on
127.0.0.1:$PORT and does not import Django, so it costs a few milliseconds.
"""

import json
import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    port = os.environ.get("PORT", "8000")
    url = f"http://127.0.0.1:{port}/healthz"
    timeout = float(os.environ.get("HEALTHCHECK_TIMEOUT", "4"))
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - fixed URL
            body = json.loads(response.read() or b"{}")
            ok = response.status == 200 and body.get("status") == "ok"
    except (OSError, ValueError, urllib.error.URLError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(body))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
