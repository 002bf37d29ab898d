"""The 1997 LSTM trained forward in time (fused_rtrl): summed over a sequence, its
truncated gradient equals the one of the back-propagating kernel (fused_lstm);
applied every step, it is real-time recurrent learning."""

import numpy as np
import pytest
import torch

from reproductions.models import LSTM, LSTMSpec
from reproductions.training.fused_lstm import FusedLSTMStep
from reproductions.training.fused_rtrl import RealTimeLSTMStep

VARIANTS = {
    "Exp. 1 net: gates in the recurrent vector, gate biases": dict(recurrent="cells_and_gates", bias_gates=True,
                                                                  cells_per_block=2, output_gate_bias=(-1.0, -2.0)),
    "cells only, every bias": dict(recurrent="cells", bias_cells=True, bias_outputs=True),
    "outputs see inputs": dict(output_sees_input=True, bias_outputs=True, cell_input_squash="logistic",
                               cell_output_squash="identity"),
    "no recurrence": dict(recurrent="none", bias_gates=False),
    "1997 Exp. 2 cell: no output gate, no recurrence": dict(output_gate=False, recurrent="none", bias_gates=False,
                                                           cell_input_squash="logistic",
                                                           cell_output_squash="identity", output_sees_input=True),
    "no output gate, recurrent, biased": dict(output_gate=False, recurrent="cells_and_gates", bias_cells=True),
}


def batch(K=3, T=6, I=4, O=3, one_hot=False, seed=0):
    rng = np.random.default_rng(seed)
    lengths = np.array([6, 4, 5])[:K]
    if one_hot:
        sym = rng.integers(0, I, size=(K, T))
        sym[np.arange(T)[None] >= lengths[:, None]] = -1
        x = np.zeros((K, T, I))
        for k in range(K):
            for t in range(lengths[k]):
                x[k, t, sym[k, t]] = 1.0
    else:
        x = rng.normal(size=(K, T, I)) * (rng.uniform(size=(K, T, I)) < 0.6)
        x[np.arange(T)[None] >= lengths[:, None]] = 0.0
        sym = None
    d = rng.uniform(size=(K, T, O))
    mask = (np.arange(T)[None] < lengths[:, None]) * rng.integers(0, 2, size=(K, T)).astype(float)
    return x, sym, d, mask, lengths


def train(step, model, x, sym, d, mask, lengths, lr, momentum, repeats=3):
    velocity = {n: torch.zeros_like(p) for n, p in model.named_parameters()}
    results = []
    for _ in range(repeats):
        xb = np.zeros((1, *x.shape[:2], 0)) if sym is not None else x[None]
        results.append(step.block(model, velocity, xb, d[None], mask[None], lengths[None], lr, momentum,
                                  None if sym is None else sym[None]))
    return results


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("one_hot", [False, True])
def test_summed_real_time_gradient_equals_the_back_propagated_one(variant, one_hot):
    spec = LSTMSpec(input_size=4, output_size=3, blocks=2, **VARIANTS[variant])
    x, sym, d, mask, lengths = batch(one_hot=one_hot)
    lr, momentum = np.array([0.5, 0.2, 1.0]), 0.9
    reference, forward = LSTM(spec, 3), LSTM(spec, 3)
    reference.reset([4, 5, 6])
    forward.reset([4, 5, 6])
    expected = train(FusedLSTMStep(reference), reference, x, sym, d, mask, lengths, lr, momentum)
    got = train(RealTimeLSTMStep(forward, every_step=False), forward, x, sym, d, mask, lengths, lr, momentum)
    valid = np.arange(x.shape[1])[None] < lengths[:, None]
    for (out_e, loss_e), (out_g, loss_g) in zip(expected, got):
        np.testing.assert_allclose(out_g[0][valid], out_e[0][valid], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(loss_g, loss_e, rtol=1e-10, atol=1e-12)
    for (name, p), (_, q) in zip(reference.named_parameters(), forward.named_parameters()):
        np.testing.assert_allclose(q.detach().numpy(), p.detach().numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


def test_every_step_updates_equal_one_step_sequences_chained():
    """Applying each step's update at once is the same as training on the sequence cut into
    one-step pieces whose derivatives carry over: checked on a sequence with error at its
    first step only, where the step update changes the later forward pass and nothing else."""
    spec = LSTMSpec(input_size=4, output_size=3, blocks=2, **VARIANTS["Exp. 1 net: gates in the recurrent vector, gate biases"])
    x, sym, d, mask, lengths = batch()
    lr = np.array([0.5, 0.5, 0.5])
    a, b = LSTM(spec, 3), LSTM(spec, 3)
    a.reset([1, 2, 3])
    b.reset([1, 2, 3])
    summed = train(RealTimeLSTMStep(a, every_step=False), a, x, sym, d, mask, lengths, lr, 0.0, repeats=1)
    stepwise = train(RealTimeLSTMStep(b, every_step=True), b, x, sym, d, mask, lengths, lr, 0.0, repeats=1)
    first = np.argmax(mask > 0, axis=1)
    # identical up to and including each trial's first step with error, different after it
    for k in range(3):
        np.testing.assert_array_equal(summed[0][0][0, k, : first[k] + 1], stepwise[0][0][0, k, : first[k] + 1])
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_real_time_training_refuses_other_cells():
    model = LSTM(LSTMSpec(input_size=2, output_size=1, forget_gate=True), 2)
    with pytest.raises(ValueError, match="1997 cell"):
        RealTimeLSTMStep(model)


def test_the_trainer_runs_real_time_learning_where_it_applies():
    from reproductions.config import deep_merge
    from reproductions.runner import resolved
    from reproductions.training.trainer import EnsembleTrainer

    config = resolved("hochreiter1997", "reber_3x2_real_time", "smoke")
    trainer = EnsembleTrainer(config, [0, 1], progress=False)
    records = trainer.run().records
    assert trainer.path_name == "fused, real-time" and all(r["sequences"] == 300 for r in records)
    with pytest.raises(ValueError, match="compiled path"):
        EnsembleTrainer(deep_merge(config, {"train": {"fused": False}}), [0], progress=False).run()


@pytest.mark.parametrize("variant", ["1997 Exp. 2 cell: no output gate, no recurrence",
                                     "Exp. 1 net: gates in the recurrent vector, gate biases"])
def test_per_step_updates_without_momentum_skip_only_zero_rows(variant):
    """Without momentum, per-step updates visit only the rows that can hold a gradient; the
    result equals the full sweep (here: a momentum too small to matter, 1e-300)."""
    spec = LSTMSpec(input_size=4, output_size=3, blocks=2, **VARIANTS[variant])
    x, sym, d, mask, lengths = batch(one_hot=True)
    lr = np.array([0.5, 0.2, 1.0])
    sparse, full = LSTM(spec, 3), LSTM(spec, 3)
    sparse.reset([7, 8, 9])
    full.reset([7, 8, 9])
    a = train(RealTimeLSTMStep(sparse), sparse, x, sym, d, mask, lengths, lr, 0.0)
    b = train(RealTimeLSTMStep(full), full, x, sym, d, mask, lengths, lr, 1e-300)
    for (out_a, loss_a), (out_b, loss_b) in zip(a, b):
        np.testing.assert_allclose(out_a, out_b, rtol=1e-14, atol=0)
        np.testing.assert_allclose(loss_a, loss_b, rtol=1e-14, atol=0)
    for (name, p), (_, q) in zip(sparse.named_parameters(), full.named_parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-14, atol=1e-300, err_msg=name)
