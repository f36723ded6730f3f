"""The HTTP service without Ray: schemas, signal lookup, predictor, small backtests, auth and
the FastAPI app factory. ``serve/app.py`` wraps it in Ray Serve deployments."""

from __future__ import annotations

from trading_signals.serving.settings import ServeSettings, load_api_key, load_settings

__all__ = ["ServeSettings", "load_api_key", "load_settings"]
