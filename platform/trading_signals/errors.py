"""Exception hierarchy.

Every error subclasses both :class:`TradingSignalsError` and the closest builtin, so callers can
catch either. Messages say what is wrong *and* how to fix it.
"""

from __future__ import annotations


class TradingSignalsError(Exception):
    """Base class of every error raised on purpose by trading_signals."""


class DataError(TradingSignalsError, ValueError):
    """Input data is malformed: names the file, row or field and how to fix it."""


class ConfigError(TradingSignalsError, ValueError):
    """A configuration file or value is invalid: names the file, key path and what was expected."""


class LookAheadError(TradingSignalsError, ValueError):
    """An operation would let information from after bar t influence a value at bar t."""


class NotFittedError(TradingSignalsError, AttributeError):
    """A stateful transform or model was used before ``fit``."""


class SourceError(TradingSignalsError, OSError):
    """A data source (remote provider, file system) could not deliver data."""
