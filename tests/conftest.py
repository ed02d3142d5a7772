import pytest

pytest_plugins = ["tests.sandbox_fixtures"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (catalogue answers, breaker state, throttles)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
