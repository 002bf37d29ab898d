"""The fused (compiled) training step equals the torch module trained with autograd."""

import numpy as np
import pytest
import torch

from reproductions.models import LSTM, LSTMSpec
from reproductions.training.fused_lstm import FusedLSTMStep
from reproductions.tasks.metrics import squared_error

VARIANTS = {
    "1997 cell, truncated, gates in the recurrent vector": dict(recurrent="cells_and_gates", bias_gates=True,
                                                                 input_gate_bias=(-1.0, -2.0)),
    "1997 cell, full gradient": dict(truncated_gradient=False, bias_cells=True, bias_outputs=True),
    "forget gate, tanh, full gradient (nn.LSTM-like)": dict(forget_gate=True, recurrent="cells", truncated_gradient=False,
                                                             cell_input_squash="tanh", cell_output_squash="tanh",
                                                             bias_cells=True),
    "forget gate + peepholes, truncated": dict(forget_gate=True, peepholes=True, recurrent="cells", bias_cells=True,
                                              bias_outputs=True, output_sees_input=True, cell_output_squash="identity"),
    "forget gate + peepholes, full gradient, blocks of 3": dict(forget_gate=True, peepholes=True, truncated_gradient=False,
                                                                  cells_per_block=3, recurrent="cells_and_gates"),
    "no output gate, no recurrence (1997 Exp. 2a)": dict(output_gate=False, recurrent="none", bias_gates=False,
                                                          cell_input_squash="logistic", cell_output_squash="identity",
                                                          output_sees_input=True),
}


def eager_step(model, velocity, x, d, mask, lr, momentum):
    inputs, targets, m = (torch.as_tensor(a).unsqueeze(1) for a in (x, d, mask))
    model.zero_grad()
    outputs = model(inputs)
    losses = squared_error(outputs, targets, m)
    losses.sum().backward()
    with torch.no_grad():
        for name, p in model.named_parameters():
            velocity[name].mul_(momentum).add_(p.grad * -torch.as_tensor(lr)[(...,) + (None,) * (p.dim() - 1)])
            p.add_(velocity[name])
    return outputs[:, 0].detach().numpy(), losses[:, 0].detach().numpy()


def assert_trains_alike(eager, fused, step, x, d, mask, lengths, lr, momentum):
    """Three updates (so momentum and changed weights are exercised) by autograd and by the
    compiled step give the same outputs, losses and weights."""
    v_eager = {n: torch.zeros_like(p) for n, p in eager.named_parameters()}
    v_fused = {n: torch.zeros_like(p) for n, p in fused.named_parameters()}
    valid = np.arange(x.shape[1])[None] < lengths[:, None]
    for _ in range(3):
        out_e, loss_e = eager_step(eager, v_eager, x, d, mask, lr, momentum)
        out_f, loss_f = step(fused, v_fused, x, d, mask, lengths, lr, momentum)
        np.testing.assert_allclose(out_f[valid], out_e[valid], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(loss_f, loss_e, rtol=1e-10, atol=1e-12)
    for name, p in eager.named_parameters():
        np.testing.assert_allclose(dict(fused.named_parameters())[name].detach().numpy(), p.detach().numpy(),
                                   rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_fused_step_equals_autograd(variant):
    spec = LSTMSpec(input_size=3, output_size=2, blocks=2, **VARIANTS[variant])
    K, T = 4, 7
    eager, fused = LSTM(spec, K), LSTM(spec, K)
    eager.reset([11, 12, 13, 14])
    fused.reset([11, 12, 13, 14])
    rng = np.random.default_rng(0)
    lengths = np.array([7, 5, 6, 3])
    x = rng.normal(size=(K, T, 3))
    d = rng.uniform(size=(K, T, 2))
    mask = (np.arange(T)[None] < lengths[:, None]).astype(float) * rng.integers(0, 2, size=(K, T))
    x[np.arange(T)[None] >= lengths[:, None]] = 0.0
    lr, momentum = np.array([0.5, 0.1, 0.2, 1.0]), 0.9
    assert_trains_alike(eager, fused, FusedLSTMStep(fused), x, d, mask, lengths, lr, momentum)


SRN_VARIANTS = {
    "Elman, logistic (1997 baselines)": dict(hidden_squash="logistic"),
    "tanh (Weiss et al. 2018)": dict(hidden_squash="tanh", output_squash="identity"),
    "relu (Weiss et al. 2018)": dict(hidden_squash="relu"),
}


@pytest.mark.parametrize("variant", sorted(SRN_VARIANTS))
def test_fused_srn_step_equals_autograd(variant):
    """The SRN baselines' compiled step (full gradient through time) equals autograd."""
    from reproductions.models.baselines import SRN, SRNSpec
    from reproductions.training.compiled import fused_step_for
    from reproductions.training.fused_srn import FusedSRNStep

    spec = SRNSpec(input_size=3, output_size=2, hidden_size=5, init_range=0.5, **SRN_VARIANTS[variant])
    K, T = 4, 7
    eager, fused = SRN(spec, K), SRN(spec, K)
    eager.reset([21, 22, 23, 24])
    fused.reset([21, 22, 23, 24])
    rng = np.random.default_rng(1)
    lengths = np.array([7, 5, 6, 3])
    x = rng.normal(size=(K, T, 3)) * (rng.uniform(size=(K, T, 3)) < 0.5)  # some zero inputs
    d = rng.uniform(size=(K, T, 2))
    mask = (np.arange(T)[None] < lengths[:, None]).astype(float) * rng.integers(0, 2, size=(K, T))
    x[np.arange(T)[None] >= lengths[:, None]] = 0.0
    lr, momentum = np.array([0.5, 0.1, 0.2, 1.0]), 0.9
    step = fused_step_for(fused)
    assert isinstance(step, FusedSRNStep)
    assert_trains_alike(eager, fused, step, x, d, mask, lengths, lr, momentum)


def test_models_without_a_kernel_train_on_the_torch_path():
    from reproductions.models.baselines import GRU, GRUSpec, SRN, SRNSpec
    from reproductions.training.compiled import fused_step_for

    assert fused_step_for(GRU(GRUSpec(input_size=2, output_size=2), 2)) is None
    assert fused_step_for(SRN(SRNSpec(input_size=2, output_size=2), 2, dtype=torch.float32)) is None


@pytest.mark.parametrize("kind", ["lstm", "srn"])
def test_one_hot_inputs_give_the_same_bits_as_dense_codes(kind):
    """One-hot tasks pass the active unit of each step (Sequence.one_hot); the kernels'
    results equal those on the dense codes exactly."""
    from reproductions.models import build_model
    from reproductions.tasks import build_task
    from reproductions.training.compiled import fused_step_for

    task = build_task("very_long_lag", {"p": 20, "q": 10})
    rng = np.random.default_rng(5)
    K, J = 3, 4
    drawn = [[task.sample(rng) for _ in range(J)] for _ in range(K)]
    assert all(s.symbols is not None for seqs in drawn for s in seqs)
    T = max(s.length for seqs in drawn for s in seqs)
    xb = np.zeros((J, K, T, task.input_size))
    symb = np.full((J, K, T), -1, dtype=np.int64)
    db, mb = np.zeros((J, K, T, task.output_size)), np.zeros((J, K, T))
    lengths = np.zeros((J, K), dtype=np.int64)
    for k, seqs in enumerate(drawn):
        for j, s in enumerate(seqs):
            xb[j, k, : s.length], symb[j, k, : s.length] = s.inputs, s.symbols
            db[j, k, : s.length], mb[j, k, : s.length], lengths[j, k] = s.targets, s.error_mask, s.length
    params = ({"blocks": 2, "recurrent": "cells_and_gates", "output_sees_input": True} if kind == "lstm"
              else {"hidden_size": 3})
    models = [build_model(kind, params, task.input_size, task.output_size, K) for _ in range(2)]
    results = []
    for model, sparse in zip(models, (False, True)):
        model.reset([1, 2, 3])
        velocity = {n: torch.zeros_like(p) for n, p in model.named_parameters()}
        step = fused_step_for(model)
        x = np.zeros((J, K, T, 0)) if sparse else xb
        results.append(step.block(model, velocity, x, db, mb, lengths, np.full(K, 0.1), 0.5, symb if sparse else None))
    assert np.array_equal(results[0][0], results[1][0]) and np.array_equal(results[0][1], results[1][1])
    for (name, dense), (_, sparse) in zip(models[0].named_parameters(), models[1].named_parameters()):
        assert torch.equal(dense, sparse), name
