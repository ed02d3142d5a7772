"""A local stand-in for the FlashStart customer-area API (see ``server`` for the details).

Plain standard library, no Django models and no ``requests``: it runs inside tests, in
benchmarks and behind ``manage.py sandbox`` for the demo run.
"""

from licensing.upstream.sandbox.catalogue import SEED_CUSTOMERS
from licensing.upstream.sandbox.server import SandboxServer, start_sandbox
from licensing.upstream.sandbox.state import SandboxState

__all__ = ["SEED_CUSTOMERS", "SandboxServer", "SandboxState", "start_sandbox"]
