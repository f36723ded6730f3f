"""Per-provider circuit breaker (closed -> open -> half-open) with an injectable clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    """Circuit-breaker states."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Per-provider circuit breaker: closed -> open -> half-open -> closed/open.

    After ``failure_threshold`` consecutive failures the breaker opens and :meth:`allow`
    refuses calls; once ``cooldown`` seconds have passed on ``clock`` it lets exactly one trial
    call through (half-open). A trial success closes it, a trial failure re-opens it for a new
    cool-down. Thread-safe.
    """

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 3,
        cooldown: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or cooldown < 0:
            raise ValueError(f"breaker {name}: need failure_threshold >= 1 and cooldown >= 0")
        self.name = name
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> BreakerState:
        """Return the current state (an open breaker past its cool-down reads half-open)."""
        with self._lock:
            if self._state is BreakerState.OPEN and self._cooled_down():
                return BreakerState.HALF_OPEN
            return self._state

    @property
    def consecutive_failures(self) -> int:
        """Return the failures counted since the last success."""
        return self._failures

    def retry_in(self) -> float:
        """Return seconds until an open breaker allows a trial call (0 when not open)."""
        with self._lock:
            if self._state is not BreakerState.OPEN:
                return 0.0
            return max(0.0, self._opened_at + self.cooldown - self._clock())

    def allow(self) -> bool:
        """Return whether a call may proceed now (and claim the trial slot when half-open)."""
        with self._lock:
            if self._state is BreakerState.OPEN and self._cooled_down():
                self._state = BreakerState.HALF_OPEN
                self._trial_in_flight = False
            if self._state is BreakerState.CLOSED:
                return True
            if self._state is BreakerState.HALF_OPEN and not self._trial_in_flight:
                self._trial_in_flight = True
                return True
            return False

    def record_success(self) -> None:
        """Close the breaker and reset the failure count."""
        with self._lock:
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._trial_in_flight = False

    def record_failure(self) -> None:
        """Count a failure; open the breaker at the threshold or when a trial call failed."""
        with self._lock:
            self._failures += 1
            if self._state is BreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
                self._state = BreakerState.OPEN
                self._opened_at = self._clock()
            self._trial_in_flight = False

    def _cooled_down(self) -> bool:
        return self._clock() - self._opened_at >= self.cooldown
