"""The attention-LSTM network and deterministic torch helpers (private to lstm.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn


class AttentionLSTMNet(nn.Module):
    """LSTM -> multi-head self-attention (residual + LayerNorm) -> [last, mean] pooled MLP head."""

    def __init__(self, n_features: int, hidden_size: int, num_layers: int, num_heads: int,
                 dropout: float, n_outputs: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden_size, num_layers=num_layers, batch_first=True,
                            dropout=dropout if num_layers > 1 else 0.0)
        self.attn = nn.MultiheadAttention(hidden_size, num_heads, dropout=dropout, batch_first=True)
        self.norm = nn.LayerNorm(hidden_size)
        self.head = nn.Sequential(nn.Linear(2 * hidden_size, hidden_size), nn.GELU(),
                                  nn.Dropout(dropout), nn.Linear(hidden_size, n_outputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.lstm(x)
        # Every step of a window is at or before its last bar, so no causal mask is needed.
        a, _ = self.attn(h, h, h, need_weights=False)
        z = self.norm(h + a)
        return self.head(torch.cat([z[:, -1], z.mean(dim=1)], dim=1))  # type: ignore[no-any-return]


def resolve_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


@contextlib.contextmanager
def deterministic_torch(seed: int, num_threads: int | None) -> Iterator[None]:
    """Seed a forked RNG, force deterministic kernels and threads; restore everything after."""
    prev_det = torch.are_deterministic_algorithms_enabled()
    prev_threads = torch.get_num_threads()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        torch.use_deterministic_algorithms(True)
        if num_threads is not None:
            torch.set_num_threads(num_threads)
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(prev_det)
            torch.set_num_threads(prev_threads)


def sequence_index(groups: np.ndarray, times: np.ndarray, seq_len: int) -> np.ndarray:
    """Return an ``(n_rows, seq_len)`` matrix of row numbers, each row's window ending at itself.

    Windows never cross groups (symbols); missing history is ``-1`` (left padding).
    """
    n = len(times)
    out = np.full((n, seq_len), -1, dtype=np.int64)
    order = np.lexsort((times, groups))
    sorted_groups = groups[order]
    cuts = np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1]) + 1
    for rows in np.split(order, cuts):
        padded = np.concatenate([np.full(seq_len - 1, -1, dtype=np.int64), rows])
        out[rows] = np.lib.stride_tricks.sliding_window_view(padded, seq_len)
    return out


def gather_sequences(scaled: np.ndarray, index: np.ndarray) -> torch.Tensor:
    """Build the ``(n, seq_len, n_features)`` float32 tensor; pad rows are zeros (the centre)."""
    ext = np.vstack([scaled, np.zeros((1, scaled.shape[1]))]).astype(np.float32)
    return torch.from_numpy(ext[index])  # index -1 -> the zero row


def train_loop(net: nn.Module, data: dict[str, Any], *, loss_fn: Any, lr: float, weight_decay: float,
               batch_size: int, max_epochs: int, patience: int, grad_clip: float | None,
               generator: torch.Generator) -> list[dict[str, float]]:
    """Train with Adam and gradient clipping; early-stop on the validation loss, keep the best."""
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=weight_decay)
    xtr, ytr, xva, yva = data["xtr"], data["ytr"], data.get("xva"), data.get("yva")
    best, best_state, bad, history = float("inf"), None, 0, []
    for epoch in range(max_epochs):
        net.train()
        perm = torch.randperm(len(xtr), generator=generator)
        total = 0.0
        for start in range(0, len(xtr), batch_size):
            idx = perm[start:start + batch_size]
            opt.zero_grad()
            loss = loss_fn(net(xtr[idx]), ytr[idx])
            loss.backward()
            if grad_clip is not None:
                nn.utils.clip_grad_norm_(net.parameters(), grad_clip)
            opt.step()
            total += float(loss.detach()) * len(idx)
        row = {"epoch": float(epoch), "train_loss": total / max(len(xtr), 1)}
        if xva is not None and len(xva):
            row["val_loss"] = eval_loss(net, xva, yva, loss_fn, batch_size)
            if row["val_loss"] < best - 1e-12:
                best, bad = row["val_loss"], 0
                best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
            else:
                bad += 1
        history.append(row)
        if xva is not None and bad >= patience:
            break
    if best_state is not None:
        net.load_state_dict(best_state)
    return history


@torch.no_grad()
def eval_loss(net: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: Any, batch_size: int) -> float:
    net.eval()
    total = 0.0
    for start in range(0, len(x), batch_size * 4):
        xb, yb = x[start:start + batch_size * 4], y[start:start + batch_size * 4]
        total += float(loss_fn(net(xb), yb)) * len(xb)
    return total / len(x)


@torch.no_grad()
def forward_batches(net: nn.Module, x: torch.Tensor, batch_size: int) -> np.ndarray:
    net.eval()
    outs = [net(x[s:s + batch_size * 4]).cpu().numpy() for s in range(0, len(x), batch_size * 4)]
    return np.concatenate(outs).astype(np.float64) if outs else np.empty((0, 1))
