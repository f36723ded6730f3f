"""HTTP-facing errors of the serving layer and their status codes.

Every error raised on purpose is a :class:`~trading_signals.errors.TradingSignalsError`; the app
maps them to 4xx with :func:`status_for`. Anything else is a bug and becomes a 500 that carries
only the request id (the traceback goes to the server log, never to the client).
"""

from __future__ import annotations

from trading_signals.errors import (
    ConfigError,
    DataError,
    LookAheadError,
    NotFittedError,
    SourceError,
    TradingSignalsError,
)


class NotFoundError(TradingSignalsError, LookupError):
    """An unknown symbol, timeframe partition or model (HTTP 404)."""


class PayloadTooLargeError(TradingSignalsError, ValueError):
    """A request asks for more work than the synchronous path allows (HTTP 413)."""


class ServiceUnavailableError(TradingSignalsError, RuntimeError):
    """A part of the service is not configured, e.g. no model registered (HTTP 503)."""


class AuthError(TradingSignalsError, PermissionError):
    """Missing or wrong API key (HTTP 401)."""


def status_for(exc: TradingSignalsError) -> int:
    """Return the HTTP status of a deliberate error.

    >>> status_for(NotFoundError("x")), status_for(DataError("x")), status_for(ConfigError("x"))
    (404, 422, 400)
    """
    for cls, code in (
        (AuthError, 401),
        (NotFoundError, 404),
        (PayloadTooLargeError, 413),
        (ServiceUnavailableError, 503),
        (SourceError, 503),
        (DataError, 422),
        (LookAheadError, 422),
        (NotFittedError, 503),
        (ConfigError, 400),
    ):
        if isinstance(exc, cls):
            return code
    return 400
