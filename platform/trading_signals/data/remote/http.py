"""Resilient HTTP GET: per-request timeout, retries with full-jitter backoff, Retry-After.

The per-provider circuit breaker lives in :mod:`~trading_signals.data.remote.breaker` and is
re-exported here.

Everything time-related is injectable (``sleep``, ``clock``, ``rng``) so tests never wait.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass

import httpx

from trading_signals.data.remote.breaker import BreakerState, CircuitBreaker
from trading_signals.errors import SourceError

__all__ = [
    "Attempt",
    "BreakerState",
    "CircuitBreaker",
    "FetchResult",
    "HttpFailure",
    "HttpFetcher",
    "RetryPolicy",
    "backoff_delay",
    "parse_retry_after",
    "redact",
]

_KEY_PARAM = re.compile(r"(?i)((?:api_?key|token|access_key)=)[^&\s'\"]+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with API keys removed (known secret values and ``apikey=...`` params).

    >>> redact("GET https://x/q?symbol=IBM&apikey=S3CRET failed", ["S3CRET"])
    'GET https://x/q?symbol=IBM&apikey=*** failed'
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _KEY_PARAM.sub(r"\1***", text)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one provider for one request.

    Attributes
    ----------
    max_attempts : int
        HTTP attempts in total (1 means no retry).
    backoff_base, backoff_cap : float
        Full-jitter backoff: before retry ``a`` (0-based) wait
        ``min(backoff_cap, backoff_base * 2**a) * U(0, 1)`` seconds.
    timeout : float
        Seconds allowed per request, for connecting, each read and the whole body.
    max_retry_after : float
        A 429 ``Retry-After`` up to this many seconds is honoured (waited); a longer one makes
        the request fail at once so the chain falls back to the next provider.
    max_body_bytes : int
        Larger bodies are refused (protects memory against a misbehaving server).
    """

    max_attempts: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    timeout: float = 10.0
    max_retry_after: float = 60.0
    max_body_bytes: int = 256 * 1024 * 1024


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Return the full-jitter delay before retry ``attempt`` (0-based).

    Equivalent to ``min(cap, base * 2**attempt) * rng.random()`` (AWS "full jitter").

    >>> backoff_delay(3, base=0.5, cap=2.0, rng=random.Random(0)) <= 2.0
    True
    """
    ceiling = min(cap, base * 2.0 ** min(attempt, 60))
    return ceiling * rng.random()


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (delta-seconds or HTTP-date).

    >>> parse_retry_after("3"), parse_retry_after(None), parse_retry_after("soon")
    (3.0, None, None)
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:  # pragma: no cover - older Pythons returned None
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@dataclass(frozen=True)
class Attempt:
    """One try of one provider for one symbol, kept for the import report.

    ``status`` is ``ok``, ``retry`` (failed, will retry), ``failed`` (gave up on this
    provider), ``invalid`` (HTTP fine but the body could not be parsed) or ``skipped``
    (no API key, unsupported timeframe or breaker open; no request was sent).
    """

    provider: str
    symbol: str
    attempt: int
    status: str
    http_status: int | None = None
    error: str | None = None
    elapsed: float = 0.0
    delay: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """Return the attempt as a JSON-ready dict."""
        return asdict(self)


class HttpFailure(SourceError):
    """One HTTP attempt failed; ``retryable`` says whether trying again may help."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.http_status = http_status
        self.retry_after = retry_after


@dataclass(frozen=True)
class FetchResult:
    """A successful GET: body bytes, HTTP status, which attempt it took and how long."""

    body: bytes
    http_status: int
    attempt: int
    elapsed: float


class HttpFetcher:
    """GET with retries, full-jitter backoff, ``Retry-After`` and a whole-request deadline.

    Parameters
    ----------
    policy
        Timeouts, attempts and backoff.
    transport
        Optional ``httpx`` transport (tests may pass ``httpx.MockTransport``).
    sleep, rng
        Injected so tests neither wait nor depend on global randomness.
    """

    def __init__(
        self,
        *,
        policy: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        user_agent: str = "trading-signals/0.1 (+https://github.com/)",
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(self.policy.timeout),
            headers={"User-Agent": user_agent},
            follow_redirects=True,
        )

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._client.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str],
        provider: str,
        symbol: str,
        log: list[Attempt],
        secrets: Iterable[str] = (),
        max_attempts: int | None = None,
    ) -> FetchResult:
        """GET ``url`` until it succeeds or attempts run out, appending failures to ``log``.

        Raises
        ------
        HttpFailure
            The last failure (message redacted) once no retry is left or allowed.
        """
        secrets = tuple(secrets)
        attempts = max_attempts or self.policy.max_attempts
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                status, body = self._get_once(url, params)
                return FetchResult(body, status, attempt, time.perf_counter() - started)
            except HttpFailure as exc:
                elapsed = time.perf_counter() - started
                delay, give_up_reason = self._next_delay(exc, attempt, attempts)
                message = redact(str(exc) + give_up_reason, secrets)
                status_name = "failed" if delay is None else "retry"
                log.append(
                    Attempt(
                        provider,
                        symbol,
                        attempt,
                        status_name,
                        exc.http_status,
                        message,
                        round(elapsed, 6),
                        delay or 0.0,
                    )
                )
                if delay is None:
                    raise HttpFailure(
                        message, retryable=exc.retryable, http_status=exc.http_status
                    ) from None
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _next_delay(
        self, exc: HttpFailure, attempt: int, attempts: int
    ) -> tuple[float | None, str]:
        if not exc.retryable or attempt >= attempts:
            return None, ""
        jitter = backoff_delay(
            attempt - 1, base=self.policy.backoff_base, cap=self.policy.backoff_cap, rng=self._rng
        )
        if exc.retry_after is None:
            return jitter, ""
        if exc.retry_after > self.policy.max_retry_after:
            return None, (
                f" (Retry-After {exc.retry_after:g}s exceeds max_retry_after "
                f"{self.policy.max_retry_after:g}s; falling back)"
            )
        return max(exc.retry_after, jitter), ""

    def _get_once(self, url: str, params: Mapping[str, str]) -> tuple[int, bytes]:
        deadline = time.perf_counter() + self.policy.timeout
        try:
            with self._client.stream("GET", url, params=dict(params)) as response:
                _raise_for_status(response)
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.policy.max_body_bytes:
                        raise HttpFailure(
                            f"body larger than {self.policy.max_body_bytes} bytes", retryable=False
                        )
                    if time.perf_counter() > deadline:
                        raise HttpFailure(
                            f"timeout: body not complete after {self.policy.timeout:g}s",
                            retryable=True,
                        )
                    chunks.append(chunk)
                return response.status_code, b"".join(chunks)
        except httpx.TimeoutException as exc:
            raise HttpFailure(
                f"timeout after {self.policy.timeout:g}s ({type(exc).__name__})", retryable=True
            ) from None
        except httpx.RemoteProtocolError as exc:
            raise HttpFailure(
                f"connection broke mid-response, body truncated ({exc})", retryable=True
            ) from None
        except httpx.TransportError as exc:
            raise HttpFailure(
                f"network error {type(exc).__name__}: {exc}", retryable=True
            ) from None


def _raise_for_status(response: httpx.Response) -> None:
    code = response.status_code
    if code < 400:
        return
    hint = _body_hint(response)
    if code == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise HttpFailure(
            f"HTTP 429 rate limited (Retry-After: {response.headers.get('Retry-After', 'none')})"
            f"{hint}",
            retryable=True,
            http_status=code,
            retry_after=retry_after,
        )
    if code >= 500 or code == 408:
        raise HttpFailure(f"HTTP {code} server error{hint}", retryable=True, http_status=code)
    if code in (401, 403):
        raise HttpFailure(
            f"HTTP {code} not authorised{hint}; check the provider's API key variable",
            retryable=False,
            http_status=code,
        )
    raise HttpFailure(f"HTTP {code} client error{hint}", retryable=False, http_status=code)


def _body_hint(response: httpx.Response) -> str:
    try:
        text = response.read()[:160].decode("utf-8", "replace").strip()
    except httpx.HTTPError:
        return ""
    return f": {' '.join(text.split())}" if text else ""
