"""Outputs of a trained ensemble on many sequences, fast.

For the LSTM family and the SRN in float64 this runs the compiled kernel
(`fused_lstm`, `fused_srn`) forward only (no gradient, no update) on the weights, many sequences per call
for all trials; it is used by stopping rules that test often (1997 Exps. 1 and
3) and by random guessing. Other models run the PyTorch module. Both give the
same outputs (tests/test_hochreiter1997_criteria.py).

`failures` screens: trials are tested on a few sequences first and only those
still within the allowed number of failures go on to the next, larger group, so
a test that almost every trial fails early in training costs a few sequences,
not the whole set. Its verdict is the same as testing everything.
"""

from __future__ import annotations

import numpy as np
import torch

from ..tasks import collate
from .compiled import fused_step_for
from .fused_lstm import PARAMETER_ORDER

#: at most this many values (trials x sequences x steps x (inputs + outputs + 1)) per kernel call
MAX_BLOCK_VALUES = 4_000_000


def ensemble_outputs(model, sequences, batch_size: int = 512, rows=None):
    """(outputs [K, B, T, O], targets [K, B, T, O], mask [K, B, T]) as numpy arrays,
    the same sequences for every trial, padded to the longest. With `rows`, only
    those trials of the ensemble (K = len(rows))."""
    if rows is not None:
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
    step = fused_step_for(model)
    # one-hot tasks: the kernels read the active unit of each step, never the dense codes
    one_hot = step is not None and all(s.symbols is not None for s in sequences)
    batch = collate(sequences, with_inputs=not one_hot)
    if step is not None:
        outputs = _compiled_outputs(step, model, batch, rows, one_hot)
    else:
        outputs = _module_outputs(model, batch, batch_size, rows)
    K = outputs.shape[0]
    return (outputs, np.broadcast_to(batch.targets, (K, *batch.targets.shape)),
            np.broadcast_to(batch.error_mask, (K, *batch.error_mask.shape)))


def _compiled_outputs(step, model, batch, rows, one_hot: bool) -> np.ndarray:
    """[K, B, T, O] from the compiled kernel run forward only, many sequences per call."""
    B, T = batch.targets.shape[:2]
    K = model.trials if rows is None else len(rows)
    params = {name: (p.detach() if rows is None else p.detach()[torch.as_tensor(rows)]).clone()
              for name, p in model.named_parameters()}
    weights = step._arrays(model, params)
    velocity = [np.zeros_like(w) for w in weights]
    O, I = batch.targets.shape[2], batch.inputs.shape[2]
    outputs = np.zeros((B, K, T, O))
    lr = np.zeros(K)
    per_call = max(1, MAX_BLOCK_VALUES // max(1, K * T * (I + O + 1)))
    # every trial sees the same sequences: [J, K, T, ...] copies of [J, T, ...]
    spread = lambda a, part: np.ascontiguousarray(np.broadcast_to(a[part, None], (a[part].shape[0], K, *a.shape[1:])))
    for start in range(0, B, per_call):
        part = slice(start, min(B, start + per_call))
        J = part.stop - part.start
        sym = spread(batch.symbols, part) if one_hot else np.empty((J, K, 0), dtype=np.int64)
        step.kernel_block(spread(batch.inputs, part), sym, spread(batch.targets, part),
                          spread(batch.error_mask, part), spread(batch.lengths, part), step.forward_flags, lr, 0.0,
                          *weights, *velocity, outputs[part], np.zeros((J, K)))
    return outputs.transpose(1, 0, 2, 3)


def _module_outputs(model, batch, batch_size: int, rows) -> np.ndarray:
    """[K, B, T, O] from the torch module (models without a compiled kernel)."""
    chunks = []
    for start in range(0, batch.targets.shape[0], batch_size):
        part = torch.as_tensor(batch.inputs[start : start + batch_size], dtype=model.dtype)
        with torch.no_grad():
            chunks.append(model(part.unsqueeze(0).expand(model.trials, *part.shape)).numpy())
    outputs = np.concatenate(chunks, axis=1)
    return outputs[rows] if rows is not None else outputs


def failures(model, task, sequences, max_wrong: int = 0, first: int = 16, with_errors: bool = False):
    """Screened test of every trial on `sequences`: [K] number of sequences that
    fail the task's test, exact for every trial with at most `max_wrong`
    failures (a trial past that stops being tested: its count is then some
    number above `max_wrong`). With `with_errors`, also the [K] mean absolute
    error at the sequence ends over the whole set, for the trials within
    `max_wrong` (NaN for the others)."""
    from ..tasks.metrics import final_errors

    K = model.trials
    wrong = np.zeros(K, dtype=np.int64)
    errors = [[] for _ in range(K)]
    alive = np.arange(K)
    start, size = 0, first
    while start < len(sequences) and len(alive):
        group = sequences[start : start + size]
        outputs, targets, mask = ensemble_outputs(model, group, rows=alive)
        ok = np.asarray(task.correct(outputs, targets, mask))
        wrong[alive] += (~ok).sum(-1)
        if with_errors:
            part = final_errors(outputs, targets, mask)
            for row, trial in enumerate(alive):
                errors[trial].append(part[row])
        alive = alive[wrong[alive] <= max_wrong]
        start, size = start + size, size * 4
    if not with_errors:
        return wrong
    mean_error = np.full(K, np.nan)
    if len(alive):
        # the same reduction as over the full [K, B, O] array
        full = np.stack([np.concatenate(errors[trial]) for trial in alive])
        mean_error[alive] = full.mean(axis=(1, 2))
    return wrong, mean_error


__all__ = ["ensemble_outputs", "failures", "PARAMETER_ORDER"]
