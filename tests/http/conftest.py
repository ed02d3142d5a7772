"""A real portal on a loopback port (a threaded WSGI server, as gunicorn's threads would
serve it), for the suites that talk to it over HTTP like a browser."""

import threading

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


class _Server(ThreadedWSGIServer):
    # pytest-django's live server listens with a backlog of 10: fifty simultaneous
    # connections would be reset by the kernel before Django ever saw them.
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def portal_url(transactional_db):
    httpd = _Server(("127.0.0.1", 0), _QuietHandler)
    httpd.set_app(WSGIHandler())
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
