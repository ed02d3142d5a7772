"""A circuit breaker for the vendor API, with its state in Django's cache.

When FlashStart stops answering, every page that calls it would otherwise hang for the
full timeout. After `failures` consecutive "vendor unavailable" outcomes the breaker
opens for `cooldown` seconds, during which calls fail at once; any answer from the
vendor closes it again.

The state lives in Django's cache (not in process memory) so that every gunicorn
process and container sharing the cache sees the same breaker. The cache is an aid, not
a dependency: if it fails, the breaker stays closed and calls go through.

Three keys per breaker:
- `<prefix>:failures` — consecutive failures, an integer updated with `add`/`incr` so
  concurrent processes do not overwrite each other's counts. It expires after `window`
  seconds so that a few failures spread over days never add up to an outage.
- `<prefix>:open_until` — the clock time until which the breaker is open. It outlives
  the cooldown (until `window`), which is how "the cooldown is over but nothing has
  answered yet" (half-open) is told apart from "closed".
- `<prefix>:trial` — held by the one call allowed through while half-open.

After the cooldown, one call at a time (in all processes: the trial key is taken with an
atomic `add`) tries the vendor while the others keep failing fast; otherwise every
thread of every worker would wait out the full timeout on a vendor that is still down.
A failed trial re-opens the breaker at once, a success resets it. A call that ends with
neither (a directory look-up the breaker does not count, a programming error) gives the
slot back with `release()`, so the next call may try at once; only a trial whose process
died waits for its key to expire after `trial_seconds`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

log = logging.getLogger("licensing.breaker")

CLOSED = "closed"
OPEN = "open"


class CircuitBreaker:
    """Counts consecutive vendor failures in the cache and fails fast while open."""

    def __init__(
        self,
        *,
        failures: int = 5,
        cooldown: float = 30.0,
        window: float | None = None,
        trial_seconds: float = 30.0,
        cache_alias: str = "default",
        key_prefix: str = "flashstart:breaker",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if failures < 1:
            raise ValueError("failures must be at least 1")
        self.failures = failures
        self.cooldown = float(cooldown)
        # Long enough to cover an outage with its cooldowns, short enough to forget a
        # blip from yesterday.
        self.window = float(window) if window is not None else max(10 * self.cooldown, 60.0)
        # Longer than one vendor call (retries included), so two trials never overlap.
        self.trial_seconds = float(trial_seconds)
        self.cache_alias = cache_alias
        self.key_prefix = key_prefix
        # Wall-clock time, not monotonic: the value is compared across processes.
        self._clock = clock
        self._failures_key = f"{key_prefix}:failures"
        self._open_key = f"{key_prefix}:open_until"
        self._trial_key = f"{key_prefix}:trial"
        # Whether this instance took the half-open trial (one instance serves one call).
        self._holds_trial = False

    def __repr__(self) -> str:
        return (
            f"<CircuitBreaker {self.key_prefix} failures={self.failures} "
            f"cooldown={self.cooldown:g}s>"
        )

    # --- reading --------------------------------------------------------------------

    def state(self) -> str:
        """Return "open" while calls should fail fast, else "closed"."""
        return OPEN if self.seconds_until_retry() > 0 else CLOSED

    def allow(self) -> bool:
        """Return True when a call may go to the vendor.

        While open: False. After the cooldown: True for one caller at a time (the trial).
        """
        try:
            open_until = self._cache.get(self._open_key)
            if open_until is None:
                return True
            if float(open_until) > self._clock():
                return False
            taken = bool(self._cache.add(self._trial_key, 1, timeout=_ttl(self.trial_seconds)))
            self._holds_trial = self._holds_trial or taken
            return taken
        except Exception:
            log.warning("breaker: cache unavailable, treating the breaker as closed")
            return True

    def seconds_until_retry(self) -> float:
        """Return how long the breaker stays open (0 when closed)."""
        try:
            open_until = self._cache.get(self._open_key)
        except Exception:
            log.warning("breaker: cache unavailable, treating the breaker as closed")
            return 0.0
        if open_until is None:
            return 0.0
        return max(0.0, float(open_until) - self._clock())

    def consecutive_failures(self) -> int:
        """Return how many vendor calls failed in a row lately (0 if unknown)."""
        try:
            return int(self._cache.get(self._failures_key) or 0)
        except Exception:
            return 0

    # --- recording ------------------------------------------------------------------

    def record_success(self) -> None:
        """The vendor answered: forget past failures and close the breaker."""
        self._holds_trial = False
        try:
            self._cache.delete_many([self._failures_key, self._open_key, self._trial_key])
        except Exception:
            log.warning("breaker: cache unavailable, could not record a success")

    def release(self) -> None:
        """The call allowed through ended without a verdict on the vendor: give back the
        half-open trial slot if this call held it (the breaker stays as it was)."""
        if not self._holds_trial:
            return
        self._holds_trial = False
        try:
            self._cache.delete(self._trial_key)
        except Exception:
            log.warning("breaker: cache unavailable, the trial slot frees itself later")

    def record_failure(self) -> None:
        """The vendor did not answer: count it, and open the breaker at the threshold."""
        self._holds_trial = False
        count = self._increment()
        if count < self.failures and not self._was_opened():
            return
        try:
            self._cache.set(
                self._open_key,
                self._clock() + self.cooldown,
                timeout=_ttl(max(self.window, self.cooldown + 1)),
            )
            self._cache.delete(self._trial_key)
        except Exception:
            log.warning("breaker: cache unavailable, could not open the breaker")
            return
        log.warning(
            "breaker: FlashStart failed %d times in a row; failing fast for %gs",
            count,
            self.cooldown,
            extra={"breaker_failures": count, "breaker_cooldown": self.cooldown},
        )

    # --- internals ------------------------------------------------------------------

    @property
    def _cache(self) -> BaseCache:
        return caches[self.cache_alias]

    def _was_opened(self) -> bool:
        """True while an opening is remembered (a failed trial must re-open at once, even
        if the failure count expired meanwhile)."""
        try:
            return self._cache.get(self._open_key) is not None
        except Exception:
            return False

    def _increment(self) -> int:
        """Add one to the shared failure count and return it (0 if the cache fails)."""
        try:
            self._cache.add(self._failures_key, 0, timeout=_ttl(self.window))
            try:
                return self._cache.incr(self._failures_key)
            except ValueError:
                # The key expired between add() and incr(): start a new count.
                self._cache.add(self._failures_key, 1, timeout=_ttl(self.window))
                return 1
        except Exception:
            log.warning("breaker: cache unavailable, could not count a failure")
            return 0


def _ttl(seconds: float) -> int:
    # Some cache backends take whole seconds only, and a timeout of 0 means "expire now".
    return max(1, math.ceil(seconds))


def from_settings() -> CircuitBreaker:
    """Return the breaker configured by `settings.FLASHSTART_BREAKER` (shared via the cache)."""
    config = getattr(settings, "FLASHSTART_BREAKER", {}) or {}
    # A read may retry within its deadline, so one call lasts at most about the timeout.
    trial = float(getattr(settings, "FLASHSTART_TIMEOUT", 8.0)) + 5
    return CircuitBreaker(
        failures=int(config.get("FAILURES", 5)),
        cooldown=float(config.get("COOLDOWN", 30)),
        trial_seconds=float(config.get("TRIAL_SECONDS", trial)),
        cache_alias=config.get("CACHE", "default"),
    )


def state() -> str:
    """Return "open" or "closed" for the configured breaker (for the health check)."""
    return from_settings().state()
