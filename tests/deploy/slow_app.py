"""A WSGI app that streams its answer slowly, like a long audit export (for the worker
timeout test): one chunk every STEP seconds, CHUNKS of them."""

import time

STEP = 0.5
CHUNKS = 10


def application(environ, start_response):
    if environ["PATH_INFO"] == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    start_response("200 OK", [("Content-Type", "text/csv")])

    def rows():
        for number in range(CHUNKS):
            time.sleep(STEP)
            yield f"row {number}\n".encode()

    return rows()
