"""Outputs of a trained ensemble on many sequences, fast.

For the LSTM family in float64 this calls the compiled training kernel of
`fused_lstm` with learning rate 0 on a *copy* of the weights (so the model is
never touched), one sequence at a time for all trials; it is used by stopping
rules that test often (1997 Exps. 1 and 3). Other models run the PyTorch module.
Both give the same outputs (tests/test_hochreiter1997_criteria.py).
"""

from __future__ import annotations

import numpy as np
import torch

from ..tasks import collate
from .fused_lstm import PARAMETER_ORDER, FusedLSTMStep, lstm_train_step
from .fused_lstm import supports as fused_supports


def ensemble_outputs(model, sequences, batch_size: int = 512):
    """(outputs [K, B, T, O], targets [K, B, T, O], mask [K, B, T]) as numpy arrays,
    the same sequences for every trial, padded to the longest."""
    batch = collate(sequences)
    K = model.trials
    B, T = batch.inputs.shape[:2]
    targets = np.broadcast_to(batch.targets, (K, *batch.targets.shape))
    mask = np.broadcast_to(batch.error_mask, (K, *batch.error_mask.shape))
    if fused_supports(model):
        step = FusedLSTMStep(model)
        params = {name: p.detach().clone() for name, p in model.named_parameters()}
        weights = step._arrays(model, params)
        velocity = [np.zeros_like(w) for w in weights]
        outputs = np.zeros((K, B, T, batch.targets.shape[2]))
        lr, losses = np.zeros(K), np.zeros(K)
        for j, sequence in enumerate(sequences):
            L = sequence.length
            x = np.ascontiguousarray(np.broadcast_to(sequence.inputs, (K, L, sequence.inputs.shape[1])))
            d = np.ascontiguousarray(np.broadcast_to(sequence.targets, (K, L, sequence.targets.shape[1])))
            m = np.ascontiguousarray(np.broadcast_to(sequence.error_mask, (K, L)))
            out = np.zeros((K, L, d.shape[2]))
            lstm_train_step(x, d, m, np.full(K, L, dtype=np.int64), step.flags, lr, 0.0, *weights, *velocity,
                            out, losses)
            outputs[:, j, :L] = out
        return outputs, targets, mask
    chunks = []
    for start in range(0, B, batch_size):
        part = torch.as_tensor(batch.inputs[start : start + batch_size], dtype=model.dtype)
        with torch.no_grad():
            chunks.append(model(part.unsqueeze(0).expand(K, *part.shape)).numpy())
    return np.concatenate(chunks, axis=1), targets, mask


__all__ = ["ensemble_outputs", "PARAMETER_ORDER"]
