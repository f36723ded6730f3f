"""The predictor: rows and bars inputs, uncertainty, batching equals one-by-one, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from trading_signals.data.synthetic import generate_universe
from trading_signals.features.pipeline import compute_features
from trading_signals.serving.predictor import ModelPredictor
from trading_signals.serving.schemas import PredictRequest


def _bars(n: int = 120, seed: int = 2) -> list[dict]:
    frame = generate_universe(1, n, seed=seed).bars["SYN0000"].reset_index()
    return [{"timestamp": r.timestamp.isoformat(), "open": r.open, "high": r.high, "low": r.low,
             "close": r.close, "volume": r.volume} for r in frame.itertuples()]


def _rows(pred: ModelPredictor, n: int = 5, seed: int = 3) -> list[dict]:
    bars = generate_universe(1, 200, seed=seed).bars["SYN0000"]
    feats = compute_features(bars, spec=[], ml=True)[pred.features].dropna().iloc[-n:]
    return [{k: float(v) for k, v in row.items()} for _, row in feats.iterrows()]


def test_rows_prediction_equals_the_model_on_the_same_frame(registry) -> None:
    pred = ModelPredictor(registry["root"], registry["lgbm"])
    rows = _rows(pred)
    out = pred.predict_batch([PredictRequest.model_validate({"rows": rows})])[0]
    import pandas as pd

    expected = pred.model.predict(pd.DataFrame(rows, columns=pred.features))
    assert [p["value"] for p in out["predictions"]] == pytest.approx(list(expected))
    assert out["uncertainty"] is None and "LightGBM" in out["uncertainty_note"]


def test_ensemble_uncertainty_is_the_base_learner_spread(registry) -> None:
    pred = ModelPredictor(registry["root"], registry["ens"])
    rows = _rows(pred, n=3)
    out = pred.predict_batch([PredictRequest.model_validate({"rows": rows})])[0]
    import pandas as pd

    X = pd.DataFrame(rows, columns=pred.features)
    base = np.column_stack([est.predict(X.to_numpy()) for est in pred.model.estimators_])
    assert [p["uncertainty"] for p in out["predictions"]] == pytest.approx(list(base.std(axis=1)))
    assert all(p["uncertainty"] > 0 for p in out["predictions"])


def test_bars_input_predicts_the_last_bar_from_features_computed_as_in_training(registry) -> None:
    pred = ModelPredictor(registry["root"], registry["lgbm"])
    bars = _bars()
    out = pred.predict_batch([PredictRequest.model_validate({"bars": bars})])[0]
    frame = generate_universe(1, 120, seed=2).bars["SYN0000"]
    last = compute_features(frame, spec=[], ml=True)[pred.features].iloc[[-1]]
    assert out["predictions"][0]["value"] == pytest.approx(float(pred.model.predict(last)[0]))
    assert out["timestamp"].isoformat().startswith(str(frame.index[-1].date()))


def test_batch_answers_equal_one_by_one_and_isolate_bad_requests(registry) -> None:
    pred = ModelPredictor(registry["root"], registry["ens"])
    good = [PredictRequest.model_validate({"rows": _rows(pred, n=k, seed=k)}) for k in (1, 2, 3)]
    bad = PredictRequest.model_validate({"rows": [{"nope": 1.0}]})
    batch = pred.predict_batch([good[0], bad, good[1], good[2]])
    single = [pred.predict_batch([g])[0] for g in good]
    assert isinstance(batch[1], Exception) and "missing features" in str(batch[1])
    for got, want in zip([batch[0], batch[2], batch[3]], single, strict=True):
        for g, w in zip(got["predictions"], want["predictions"], strict=True):
            assert g["value"] == pytest.approx(w["value"], rel=1e-12)
            assert g["uncertainty"] == pytest.approx(w["uncertainty"], rel=1e-9)
        assert got["batch_size"] == 4


def test_nan_feature_for_a_model_without_nan_support_is_a_clear_error(registry) -> None:
    pred = ModelPredictor(registry["root"], registry["ens"])
    row = dict.fromkeys(pred.features, 0.0)
    row[pred.features[0]] = None
    out = pred.predict_batch([PredictRequest.model_validate({"rows": [row]})])[0]
    assert isinstance(out, Exception) and "rejected the input" in str(out)


def test_too_many_rows_is_payload_too_large(registry) -> None:
    from trading_signals.serving.errors import PayloadTooLargeError

    pred = ModelPredictor(registry["root"], registry["lgbm"], max_rows=2)
    out = pred.predict_batch([PredictRequest.model_validate({"rows": _rows(pred, n=3)})])[0]
    assert isinstance(out, PayloadTooLargeError)


def test_predict_endpoint_validation_and_success(make_client, shared_lake, registry, auth) -> None:
    client, backend = make_client(lake=shared_lake, registry=registry["root"], model_id="ens")
    ok = client.post("/v1/predict", json={"bars": _bars()}, headers=auth)
    assert ok.status_code == 200, ok.text
    assert ok.json()["model_id"] == registry["ens"] and ok.json()["predictions"][0]["uncertainty"] > 0
    assert client.get("/v1/health").json()["model"]["uncertainty"] == "base_learner_std"
    for body in ({}, {"rows": [{"a": 1.0}], "bars": _bars()}, {"rows": [{"a": False}]},
                 {"rows": []}, {"bars": [{**_bars()[0], "close": "1.0"}] * 2}):
        r = client.post("/v1/predict", json=body, headers=auth)
        assert r.status_code == 422, (body, r.text)
    r = client.post("/v1/predict", json={"rows": [{"a": 1.0}]}, headers=auth)
    assert r.status_code == 422 and "missing features" in r.json()["error"]["message"]
    assert backend.metrics.batches == [1, 1] and backend.metrics.models == [registry["ens"]]


def test_predict_without_a_model_is_503(make_client, shared_lake, auth) -> None:
    client, _ = make_client(lake=shared_lake)
    r = client.post("/v1/predict", json={"rows": [{"a": 1.0}]}, headers=auth)
    assert r.status_code == 503 and "model_id" in r.json()["error"]["message"]
