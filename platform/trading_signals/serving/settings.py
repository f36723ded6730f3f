"""Serving settings (the ``args`` of the Serve application) and API-key loading.

The key comes from ``TSIG_API_KEY`` or from a file named by ``TSIG_API_KEY_FILE`` (a mounted
Kubernetes Secret). Without a key the service refuses to start unless ``insecure_local`` is set
explicitly, so a misconfigured deployment fails closed instead of serving data to anyone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

from pydantic import Field, ValidationError, model_validator

from trading_signals._typing import TIMEFRAMES
from trading_signals.config._base import FrozenModel, format_validation_error
from trading_signals.errors import ConfigError

API_KEY_ENV = "TSIG_API_KEY"
API_KEY_FILE_ENV = "TSIG_API_KEY_FILE"
API_KEY_HEADER = "X-API-Key"
MIN_KEY_LENGTH = 16


class ServeSettings(FrozenModel):
    """What the HTTP service reads and how much work one request may ask for.

    Attributes
    ----------
    lake : str
        OHLCV lake root (``tsig data import`` / ``tsig data update`` write it).
    registry, model_id : str, optional
        Model registry root and the model to serve (``name`` = its latest version).
        Without them ``POST /v1/predict`` answers 503 and says how to configure it.
    signals_config : str, optional
        Run-config YAML whose ``signals`` section sets weights and thresholds.
    max_body_bytes : int
        Larger request bodies get 413 before they are parsed.
    predict_batching, max_batch_size, batch_wait_timeout_s
        Serve only: ``POST /v1/predict`` goes through ``@serve.batch`` (the model deployment's
        ``user_config`` can change the two limits while running).
    backtest_max_cells : int
        Bound on bars x symbols for ``POST /v1/backtest``; bigger studies belong in
        ``jobs/backtest.py`` (413 says so).
    """

    lake: str = "lake"
    timeframe: str = "1d"
    registry: str | None = None
    model_id: str | None = None
    signals_config: str | None = None
    max_body_bytes: int = Field(1_000_000, ge=1_024)
    backtest_max_cells: int = Field(100_000, ge=100)
    backtest_max_symbols: int = Field(20, ge=1)
    predict_max_rows: int = Field(512, ge=1)
    predict_max_bars: int = Field(2_000, ge=50)
    cache_size: int = Field(256, ge=1)
    dashboard_symbols: int = Field(25, ge=1)
    dashboard_bars: int = Field(250, ge=20)
    insecure_local: bool = False
    predict_batching: bool = True
    max_batch_size: int = Field(16, ge=1, le=1024)
    batch_wait_timeout_s: float = Field(0.005, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.timeframe not in TIMEFRAMES:
            raise ValueError(f"timeframe {self.timeframe!r}: use one of {list(TIMEFRAMES)}")
        if self.model_id is not None and self.registry is None:
            raise ValueError("model_id needs registry: set both, or neither to disable /v1/predict")
        return self


def load_settings(args: Mapping[str, Any] | None, *, source: str = "serve args") -> ServeSettings:
    """Validate the application ``args`` into :class:`ServeSettings` (ConfigError naming the key)."""
    try:
        return ServeSettings.model_validate(dict(args or {}))
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source=source)) from exc


def resolve_locations(settings: ServeSettings, *, base: str | None = None) -> ServeSettings:
    """Resolve relative ``lake``/``registry``/``signals_config`` paths.

    Relative paths join ``TSIG_STORAGE`` when it is set (a cluster: ``s3://bucket/prefix``, as
    jobs do), else ``base`` (the directory ``tsig serve`` was started in, or a URI), else stay
    relative to the replica's working directory. ``signals_config`` is a YAML file read by
    :func:`~trading_signals.config.load_config`, so it stays local (never joined to a URI root).
    """
    from trading_signals.data import storage
    from trading_signals.workflow.locations import is_relative, storage_root

    root = storage_root()
    updates: dict[str, str] = {}
    for name in ("lake", "registry", "signals_config"):
        value = getattr(settings, name)
        if value is None or not is_relative(value):
            continue
        if root is not None and name != "signals_config":
            updates[name] = storage.join(root, value)
        elif base is not None and not (name == "signals_config" and storage.is_remote(base)):
            updates[name] = storage.join(base, value)  # base may be a URI: join keeps its scheme
    return settings.model_copy(update=updates) if updates else settings


def load_api_key(env: Mapping[str, str] | None = None) -> str | None:
    """Return the API key from ``TSIG_API_KEY`` or the file in ``TSIG_API_KEY_FILE`` (None: unset).

    Raises
    ------
    ConfigError
        Both are set, the file cannot be read, or the key is shorter than 16 characters.
    """
    env = os.environ if env is None else env
    literal, file_name = env.get(API_KEY_ENV), env.get(API_KEY_FILE_ENV)
    if literal and file_name:
        raise ConfigError(f"both {API_KEY_ENV} and {API_KEY_FILE_ENV} are set; set only one")
    key = literal
    if file_name:
        try:
            key = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{API_KEY_FILE_ENV}={file_name}: cannot read the key file ({exc}); "
                              "mount the Secret there or unset the variable") from exc
    if key is None or key == "":
        return None
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(f"API key is {len(key)} characters; use at least {MIN_KEY_LENGTH} "
                          "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
    return key


def require_api_key(settings: ServeSettings, env: Mapping[str, str] | None = None) -> str | None:
    """Return the key, or None when ``insecure_local``; refuse to start without either."""
    key = load_api_key(env)
    if key is None and not settings.insecure_local:
        raise ConfigError(f"no API key: set {API_KEY_ENV} or {API_KEY_FILE_ENV} (a mounted Secret), "
                          "or pass --insecure-local to serve without authentication on localhost")
    return key
