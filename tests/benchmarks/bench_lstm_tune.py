"""LSTM training throughput: raw torch loop vs the estimator vs the estimator inside a Tune trial.

    python tests/benchmarks/bench_lstm_tune.py [--threads 2] [--rows 20000] [--epochs 3]

Same network, data, batch size (256), optimiser and gradient clipping in every row; the ratio
column is samples/s relative to the raw loop measured in the same run (target >= 0.90).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

import numpy as np
import pandas as pd
import torch
from trading_signals.models import AttentionLSTMRegressor
from trading_signals.models._torch_net import AttentionLSTMNet

PARAMS = {"seq_len": 16, "hidden_size": 32, "num_heads": 2, "batch_size": 256, "val_fraction": 0.0, "lr": 1e-3}


def make_panel(rows: int, n_features: int = 18, n_symbols: int = 20):
    rng = np.random.default_rng(0)
    n_dates = rows // n_symbols
    idx = pd.MultiIndex.from_product(
        [pd.bdate_range("2010-01-01", periods=n_dates, tz="UTC"), [f"S{i:02d}" for i in range(n_symbols)]],
        names=["timestamp", "symbol"])
    X = pd.DataFrame(rng.normal(size=(len(idx), n_features)), index=idx, columns=[f"f{i}" for i in range(n_features)])
    y = pd.Series(0.1 * X["f0"].to_numpy() + rng.normal(size=len(idx)), index=idx)
    return X, y


def raw_loop(X: pd.DataFrame, y: pd.Series, epochs: int, threads: int) -> float:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.randn(len(X), PARAMS["seq_len"], X.shape[1])
    t = torch.from_numpy(y.to_numpy(np.float32)).reshape(-1, 1)
    net = AttentionLSTMNet(X.shape[1], PARAMS["hidden_size"], 1, PARAMS["num_heads"], 0.0, 1)
    opt = torch.optim.Adam(net.parameters(), lr=PARAMS["lr"])
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), PARAMS["batch_size"]):
            b = perm[i:i + PARAMS["batch_size"]]
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(net(x[b]), t[b])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
    return len(x) * epochs / (time.perf_counter() - start)


def estimator_fit(X: pd.DataFrame, y: pd.Series, epochs: int, threads: int) -> float:
    model = AttentionLSTMRegressor(**PARAMS, max_epochs=epochs, num_threads=threads)
    start = time.perf_counter()
    model.fit(X, y)
    return len(X) * epochs / (time.perf_counter() - start)


def in_tune(X: pd.DataFrame, y: pd.Series, epochs: int, threads: int, repeats: int) -> float:
    import ray
    from ray import tune

    def trainable(config, X=None, y=None):
        tune.report({"samples_per_s": max(estimator_fit(X, y, epochs, threads) for _ in range(repeats))})

    ray.init(address="local", num_cpus=threads, include_dashboard=False, log_to_driver=False)
    try:
        tuner = tune.Tuner(tune.with_resources(tune.with_parameters(trainable, X=X, y=y), {"cpu": threads}),
                           tune_config=tune.TuneConfig(num_samples=1),
                           run_config=tune.RunConfig(verbose=0, storage_path="/tmp/bench_lstm_tune"))
        return float(tuner.fit().get_best_result(metric="samples_per_s", mode="max").metrics["samples_per_s"])
    finally:
        ray.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="best of N per case (noisy shared machine)")
    args = ap.parse_args()
    X, y = make_panel(args.rows)
    n, e, th = args.repeats, args.epochs, args.threads
    raw_runs, est_runs = [], []
    for _ in range(n):  # interleave so background load hits both alike
        raw_runs.append(raw_loop(X, y, e, th))
        est_runs.append(estimator_fit(X, y, e, th))
    raw = max(raw_runs)
    rows = [("raw torch loop", raw), ("AttentionLSTMRegressor.fit", max(est_runs)),
            ("fit inside a Tune trial", in_tune(X, y, e, th, n)),
            ("raw torch loop (after Tune)", max(raw_loop(X, y, e, th) for _ in range(n)))]
    print(f"rows={len(X)} epochs={e} threads={th} batch={PARAMS['batch_size']} best of {n}")
    print(f"{'case':32s} {'samples/s':>10s} {'ratio':>6s}")
    for name, v in rows:
        print(f"{name:32s} {v:10.0f} {v / raw:6.2f}")


if __name__ == "__main__":
    main()
