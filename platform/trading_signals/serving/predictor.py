"""Model inference for the API: load a registered model, predict with uncertainty, in batches.

The Serve model deployment calls :meth:`ModelPredictor.predict_batch` from ``@serve.batch``;
the plain FastAPI app calls it with one request. Both therefore run the same code: one model
call for all valid requests of a batch (sequence models: one call per request, since their rows
are a history), and one bad request does not fail the others in its batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.data.schema import make_ohlcv
from trading_signals.errors import DataError, TradingSignalsError
from trading_signals.serving.errors import PayloadTooLargeError
from trading_signals.serving.schemas import PredictRequest

_NO_UNCERTAINTY = {
    "LightGBMRegressor": "LightGBM gives a point estimate; boosted trees are additive, so their "
                         "per-tree outputs are not a spread of predictions: uncertainty is null",
}


class ModelPredictor:
    """A registered model plus the recipe (features, timeframe) it was trained with.

    Parameters
    ----------
    registry, model_id : str
        Registry root and ``name`` or ``name/vNNNN``.
    max_rows, max_bars : int
        Per-request bounds; more gives :class:`PayloadTooLargeError` (HTTP 413).

    Notes
    -----
    With ``bars`` the features are computed exactly as at training (the manifest's run config:
    indicator spec, ML features, higher timeframes) from the bars sent, and the prediction is
    for the last bar: it uses bars up to that bar only.
    """

    def __init__(self, registry: str, model_id: str, *, max_rows: int = 512, max_bars: int = 2_000) -> None:
        from trading_signals.models.registry import ModelRegistry

        reg = ModelRegistry(registry)
        self.manifest = reg.manifest(model_id)
        self.model = reg.load(self.manifest["model_id"])
        self.model_id: str = self.manifest["model_id"]
        self.model_class: str = self.manifest["class"]
        self.features: list[str] = list(self.manifest["features"])
        run = (self.manifest.get("extra") or {}).get("run_config") or {}
        self._features_cfg = run.get("features") or {}
        self.timeframe = (run.get("data") or {}).get("timeframe", "1d")
        self.sequence = hasattr(self.model, "seq_len")
        self.uncertainty = "base_learner_std" if hasattr(self.model, "predict_uncertainty") else None
        self.uncertainty_note = (
            "standard deviation across the ensemble's base learners (a disagreement measure, "
            "not a calibrated interval)" if self.uncertainty else _NO_UNCERTAINTY.get(
                self.model_class, f"{self.model_class} exposes no uncertainty: null"))
        self.max_rows, self.max_bars = max_rows, max_bars

    def info(self) -> dict[str, Any]:
        return {"model_id": self.model_id, "model_class": self.model_class,
                "features": len(self.features), "uncertainty": self.uncertainty}

    # ---------------------------------------------------------------- inputs
    def frame_of(self, req: PredictRequest) -> tuple[pd.DataFrame, pd.Timestamp | None]:
        """Return the feature frame to predict (rows) or the last bar's features (bars)."""
        if req.rows is not None:
            if len(req.rows) > self.max_rows:
                raise PayloadTooLargeError(f"rows: {len(req.rows)} > {self.max_rows} per request; "
                                           "split the request or score offline with `tsig evaluate`")
            for i, row in enumerate(req.rows):
                missing, extra = set(self.features) - set(row), set(row) - set(self.features)
                if missing or extra:
                    raise DataError(f"rows[{i}]: missing features {sorted(missing)[:8]}, unknown "
                                    f"{sorted(extra)[:8]}; the model expects {len(self.features)} "
                                    "features (GET /v1/health shows the model)")
            data = [[np.nan if r[f] is None else r[f] for f in self.features] for r in req.rows]
            return pd.DataFrame(data, columns=self.features, dtype=np.float64), None
        return self._bars_features(req)

    def _bars_features(self, req: PredictRequest) -> tuple[pd.DataFrame, pd.Timestamp | None]:
        from trading_signals.features.pipeline import compute_features

        bars = req.bars or []
        if len(bars) > self.max_bars:
            raise PayloadTooLargeError(f"bars: {len(bars)} > {self.max_bars} per request; send "
                                       "only the recent history the features need")
        try:
            ts = pd.DatetimeIndex([pd.Timestamp(b.timestamp) for b in bars])
            ts = ts.tz_localize("UTC") if ts.tz is None else ts.tz_convert("UTC")
        except (ValueError, OverflowError, TypeError) as exc:  # e.g. year 9999, mixed zones
            raise DataError(f"bars: timestamps outside 1677..2262 or mixed time zones ({exc})") from exc
        if not ts.is_monotonic_increasing or ts.has_duplicates:
            raise DataError("bars: timestamps must be strictly increasing (oldest first)")
        cols = {c: np.array([getattr(b, c) for b in bars], dtype=np.float64)
                for c in ("open", "high", "low", "close", "volume")}
        bad = np.flatnonzero((cols["high"] < np.maximum(cols["open"], cols["close"]))
                             | (cols["low"] > np.minimum(cols["open"], cols["close"])))
        if bad.size:
            raise DataError(f"bars[{int(bad[0])}]: high/low do not bracket open and close")
        frame = make_ohlcv(ts, cols["open"], cols["high"], cols["low"], cols["close"], cols["volume"],
                           symbol=req.symbol or "REQUEST", timeframe=self.timeframe)
        spec = self._features_cfg.get("indicators")
        feats = compute_features(frame, spec=spec, ml=self._features_cfg.get("ml_features", True),
                                 higher_timeframes=tuple(self._features_cfg.get("higher_timeframes") or ()))
        missing = [f for f in self.features if f not in feats.columns]
        if missing:
            raise DataError(f"the model needs features {missing[:8]} that cannot be computed from "
                            "bars (e.g. external signals); send feature 'rows' instead")
        feats = feats[self.features]
        if self.sequence:
            return feats.dropna(), ts[-1]
        return feats.iloc[[-1]], ts[-1]

    # ---------------------------------------------------------------- predict
    def _predict(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
        if X.empty:
            raise DataError("no complete feature row to predict (send more bars: the indicators "
                            "need a warm-up)")
        try:
            if self.sequence:
                from trading_signals.models.factory import predict_rows

                values = predict_rows(self.model, X.reset_index(drop=True), np.array([len(X) - 1]))
            else:
                values = np.asarray(self.model.predict(X), dtype=np.float64)
            unc = (np.asarray(self.model.predict_uncertainty(X), dtype=np.float64)
                   if self.uncertainty else None)
        except ValueError as exc:  # sklearn's NaN / shape checks: the client's input
            raise DataError(f"the model rejected the input: {exc}") from exc
        return values, unc

    def predict_batch(self, requests: Sequence[PredictRequest]) -> list[dict[str, Any] | TradingSignalsError]:
        """Answer each request: a response dict, or the error of that request alone."""
        prepared: list[tuple[int, pd.DataFrame, pd.Timestamp | None]] = []
        out: list[dict[str, Any] | TradingSignalsError] = [DataError("not computed")] * len(requests)
        for i, req in enumerate(requests):
            try:
                X, ts = self.frame_of(req)
                prepared.append((i, X, ts))
            except TradingSignalsError as exc:
                out[i] = exc
        groups = [[p] for p in prepared] if self.sequence else ([prepared] if prepared else [])
        for group in groups:
            try:
                values, unc = self._predict(pd.concat([X for _, X, _ in group], ignore_index=True))
            except TradingSignalsError as exc:
                if len(group) == 1:
                    out[group[0][0]] = exc
                    continue
                for item in group:  # find the culprit: answer each request alone
                    out[item[0]] = self.predict_batch([requests[item[0]]])[0]
                continue
            offset = 0
            for i, X, ts in group:
                n = 1 if self.sequence else len(X)
                out[i] = self._response(values[offset:offset + n],
                                        None if unc is None else unc[offset:offset + n], ts, len(requests))
                offset += n
        return out

    def _response(self, values: np.ndarray, unc: np.ndarray | None, ts: pd.Timestamp | None,
                  batch: int) -> dict[str, Any]:
        def num(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        preds = [{"value": num(v), "uncertainty": None if unc is None else num(u)}
                 for v, u in zip(values, unc if unc is not None else [math.nan] * len(values), strict=True)]
        return {"model_id": self.model_id, "model_class": self.model_class, "predictions": preds,
                "uncertainty": self.uncertainty, "uncertainty_note": self.uncertainty_note,
                "timestamp": None if ts is None else ts.to_pydatetime(), "batch_size": batch}
