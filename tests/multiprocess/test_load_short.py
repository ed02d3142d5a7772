"""A short run of bench/load_test.py: a few staff for ~10 s against gunicorn and the
sandbox, on whatever database and cache the suite runs with. No 5xx, nothing pending or
unknown, every licence sold matched by exactly one active assignment, the audit chain
unbroken."""

import pytest

from bench import load_test
from tests.multiprocess.conftest import cache_url, subprocess_database_url

pytestmark = pytest.mark.multiprocess


def test_a_few_staff_for_ten_seconds(transactional_db, tmp_path):
    config = load_test.Config(
        staff=4,
        seconds=10,
        workers=2,
        threads=4,
        latency=0.05,
        think=0.05,
        database_url=subprocess_database_url(),
        cache_url=cache_url(),
        workdir=tmp_path,
    )

    result = load_test.run(config)

    assert result["logged_in"] == 4
    assert result["server_errors"] == 0, result["pages"]
    assert result["unexpected"] == 0, result["failures"]
    assert result["hung_threads"] == 0
    assert result["vendor_sold"] > 0 and result["matched"], result["assignments"]
    assert set(result["assignments"]) == {"active"}
    assert result["audit_break"] is None
    assert result["ok"]
