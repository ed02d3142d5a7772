"""The sandbox's control endpoints, for tests and benchmarks (same ``X-API-KEY``).

- ``GET  /_sandbox/state``: balances per currency (strings), ``assign_deductions``,
  licences, demo counts, customers, ``requests`` per endpoint name, ``recent_requests``
  (bodies as received, passwords masked), pending ``faults``, ``latencies``, ``latency``,
  ``variants``.
- ``POST /_sandbox/reset``: seed customers, starting credit, no licences, counters,
  faults or variants. Optional body ``{"balances": {"EUR": "10.00"}}`` changes the
  starting credit.
- ``POST /_sandbox/balances``: body ``{"EUR": "3.00", ...}`` sets those balances now.
- ``GET  /_sandbox/faults``: pending faults and latencies.
- ``POST /_sandbox/faults``: body ``{"endpoint": "assign", "fault": "reset_after",
  "times": 1, "seconds": 0.2}``: the next ``times`` calls of that endpoint (a name such as
  ``assign``, a path, or ``*`` for all) misbehave. Faults queue up in order.
- ``POST /_sandbox/faults/clear``: body ``{"endpoint": "assign"}`` or ``{}`` for all.
- ``POST /_sandbox/latency``: body ``{"seconds": 0.3}`` sets the global latency.
- ``GET  /_sandbox/variants``: the answer variants switched on.
- ``POST /_sandbox/variants``: body ``{"single_object": true, "currency": "symbol"}``
  switches those variants on (``false`` switches one off); see ``variants``.
"""

import math
from typing import Any

Answer = tuple[int, dict]


def answer(server: Any, method: str, path: str, body: Any) -> Answer:
    """The answer to a control call (``path`` without ``/_sandbox``). ``server`` is the
    running HTTP server: its ``state`` and its global ``latency``."""
    state = server.state
    body = body if isinstance(body, dict) else {}
    action = (method, path)
    try:
        if action == ("GET", "/state"):
            return 200, {**state.snapshot(), "latency": server.latency}
        if action == ("POST", "/reset"):
            state.reset(balances=body.get("balances"))
            return 200, {"reset": True}
        if action == ("POST", "/balances"):
            state.set_balances(body)
            return 200, {"balances": state.snapshot()["balances"]}
        if action in (("GET", "/faults"), ("POST", "/faults"), ("POST", "/faults/clear")):
            if path == "/faults/clear":
                state.clear_faults(body.get("endpoint"))
            elif method == "POST":
                state.add_fault(
                    body.get("endpoint", ""),
                    body.get("fault", ""),
                    times=body.get("times", 1),
                    seconds=body.get("seconds"),
                )
            snap = state.snapshot()
            return 200, {"faults": snap["faults"], "latencies": snap["latencies"]}
        if action == ("POST", "/latency"):
            try:
                seconds = float(body.get("seconds", 0))
            except (TypeError, ValueError):
                seconds = math.nan
            if not math.isfinite(seconds) or not 0 <= seconds <= 60:
                return 400, {"message": "seconds: a number from 0 to 60"}
            server.latency = seconds
            return 200, {"latency": server.latency}
        if action == ("GET", "/variants"):
            return 200, {"variants": dict(state.variants)}
        if action == ("POST", "/variants"):
            return 200, {"variants": state.set_variants(body)}
    except (ValueError, TypeError, ArithmeticError) as exc:
        return 400, {"message": str(exc)}
    return 404, {"message": "Not Found"}
