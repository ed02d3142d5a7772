"""pytest fixtures for the FlashStart sandbox (registered in tests/conftest.py).

- ``sandbox_server`` (session): one sandbox on a free loopback port for the whole run.
- ``sandbox``: that server with its state reset, faults and latency cleared before the test.
- ``sandbox_settings``: ``sandbox``, with ``FLASHSTART_API_URL``/``FLASHSTART_API_KEY``
  pointing at it for the test.
"""

import pytest

from licensing.upstream.sandbox import server as sandbox_server_module


@pytest.fixture(scope="session")
def sandbox_server():
    started = sandbox_server_module.start_sandbox(api_key="sandbox-test-key")
    yield started
    started.stop()


@pytest.fixture
def sandbox(sandbox_server):
    sandbox_server.reset()
    sandbox_server.latency = 0.0
    yield sandbox_server
    # A fault left pending must not leak into the next test, even one not using `sandbox`.
    sandbox_server.clear_faults()
    sandbox_server.latency = 0.0


@pytest.fixture
def sandbox_settings(sandbox, settings):
    settings.FLASHSTART_API_URL = sandbox.url
    settings.FLASHSTART_API_KEY = sandbox.api_key
    yield sandbox
