"""Gradients of every LSTM variant; equality with torch.nn.LSTM; the 1997 truncation."""

import numpy as np
import pytest
import torch

from reproductions.models import GRU, LSTM, SRN, GRUSpec, LSTMSpec, SRNSpec
from reproductions.tasks.metrics import squared_error

FULL_GRADIENT_VARIANTS = {
    "1997 cell": dict(),
    "1997 cell, gates in recurrent vector, blocks of 2": dict(recurrent="cells_and_gates", cells_per_block=2),
    "forget gate": dict(forget_gate=True, recurrent="cells"),
    "forget gate + peepholes": dict(forget_gate=True, peepholes=True, bias_cells=True, bias_outputs=True),
    "peepholes, no output gate": dict(peepholes=True, output_gate=False, output_sees_input=True),
}


@pytest.mark.parametrize("variant", sorted(FULL_GRADIENT_VARIANTS))
def test_full_gradient_matches_finite_differences(variant):
    spec = LSTMSpec(input_size=2, output_size=2, blocks=2, truncated_gradient=False, init_range=0.5,
                    **FULL_GRADIENT_VARIANTS[variant])
    model = LSTM(spec, trials=2)
    model.reset([1, 2])
    x = torch.randn(2, 1, 5, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    params = list(model.parameters())
    names = [n for n, _ in model.named_parameters()]

    def loss(*values):
        return (torch.func.functional_call(model, dict(zip(names, values)), (x,)) ** 2).sum()

    assert torch.autograd.gradcheck(loss, [p.detach().clone().requires_grad_() for p in params], eps=1e-6, atol=1e-6)


@pytest.mark.parametrize("cls,spec", [(SRN, SRNSpec(input_size=2, output_size=2, hidden_size=3)),
                                      (GRU, GRUSpec(input_size=2, output_size=2, hidden_size=3))])
def test_baselines_match_finite_differences(cls, spec):
    model = cls(spec, trials=2)
    model.reset([3, 4])
    x = torch.randn(2, 1, 4, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    names = [n for n, _ in model.named_parameters()]

    def loss(*values):
        return (torch.func.functional_call(model, dict(zip(names, values)), (x,)) ** 2).sum()

    assert torch.autograd.gradcheck(loss, [p.detach().clone().requires_grad_() for p in model.parameters()])


def test_forget_gate_lstm_without_peepholes_equals_torch_nn_lstm():
    """Same weights, same outputs and same gradients as torch.nn.LSTM (+ a linear readout)."""
    spec = LSTMSpec(input_size=3, output_size=2, blocks=4, forget_gate=True, recurrent="cells",
                    truncated_gradient=False, cell_input_squash="tanh", cell_output_squash="tanh",
                    output_squash="identity", bias_cells=True, bias_gates=True, bias_outputs=True)
    ours = LSTM(spec, trials=1)
    ours.reset([5])
    reference = torch.nn.LSTM(3, 4, batch_first=True).double()
    readout = torch.nn.Linear(4, 2).double()
    with torch.no_grad():
        # torch's gate order is (input, forget, cell, output); ours is (cells | in | phi | out)
        w_ih, w_hh = reference.weight_ih_l0, reference.weight_hh_l0
        b = reference.bias_ih_l0
        reference.bias_hh_l0.zero_()
        order = [slice(8, 12), slice(0, 4), slice(4, 8), slice(12, 16)]
        ours.w_in[0] = torch.cat([w_ih[s] for s in order]).T
        ours.w_rec[0] = torch.cat([w_hh[s] for s in order]).T
        ours.b_cells[0] = b[8:12]
        ours.b_gates[0] = torch.cat([b[0:4], b[4:8], b[12:16]])
        ours.w_out[0] = readout.weight.T
        ours.b_out[0] = readout.bias
    x = torch.randn(1, 6, 3, dtype=torch.float64)
    expected = readout(reference(x)[0])
    got = ours(x[None])[0]
    torch.testing.assert_close(got, expected)
    expected.sum().backward()
    got.sum().backward()
    torch.testing.assert_close(ours.w_rec.grad[0], torch.cat([reference.weight_hh_l0.grad[s] for s in order]).T)
    torch.testing.assert_close(ours.w_in.grad[0], torch.cat([reference.weight_ih_l0.grad[s] for s in order]).T)


def test_truncated_gradient_matches_hand_derived_rtrl():
    """One 1997 cell (input gate, output gate), truncated as in the paper's appendix:
    ds/dw for the cell input and input gate weights is carried forward in time
    (RTRL) and the error is never sent back through recurrent connections."""
    spec = LSTMSpec(input_size=1, output_size=1, blocks=1, recurrent="cells_and_gates", bias_gates=False,
                    truncated_gradient=True, init_range=0.8)
    model = LSTM(spec, trials=1)
    model.reset([9])
    xs = np.array([0.7, -0.4, 0.9])
    d = 0.3
    W = {n: p.detach()[0].numpy().copy() for n, p in model.named_parameters()}
    w_in, w_rec, w_out = W["w_in"], W["w_rec"], W["w_out"]  # units: [cell, in gate, out gate]
    sig = lambda z: 1 / (1 + np.exp(-z))
    g = lambda z: 4 * sig(z) - 2
    h = lambda z: 2 * sig(z) - 1
    s, prev = 0.0, np.zeros(3)                    # prev = (y_c, y_in, y_out) at t-1
    ds_dwc, ds_dwin = np.zeros(4), np.zeros(4)    # w.r.t. [input weight, 3 recurrent weights]
    for x in xs:
        source = np.concatenate([[x], prev])      # what every unit sees: x(t), y(t-1)
        net = source @ np.vstack([w_in, w_rec])
        y_in, y_out = sig(net[1]), sig(net[2])
        # RTRL, truncated: ds(t)/dw = ds(t-1)/dw + (local derivative) * y^m(t-1)
        ds_dwc = ds_dwc + y_in * (g(net[0]) + 2) * (1 - (g(net[0]) + 2) / 4) * source
        ds_dwin = ds_dwin + g(net[0]) * y_in * (1 - y_in) * source
        s = s + y_in * g(net[0])
        y_c = y_out * h(s)
        prev = np.array([y_c, y_in, y_out])
    y = sig(y_c * w_out[0, 0])
    delta = (y - d) * y * (1 - y)                 # error only at the last step
    h_slope = 2 * sig(s) * (1 - sig(s))
    expected_c = delta * w_out[0, 0] * y_out * h_slope * ds_dwc
    expected_in = delta * w_out[0, 0] * y_out * h_slope * ds_dwin

    inputs = torch.tensor(xs, dtype=torch.float64).view(1, 1, 3, 1)
    target = torch.tensor([0.0, 0.0, d], dtype=torch.float64).view(1, 1, 3, 1)
    mask = torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64).view(1, 1, 3)
    squared_error(model(inputs), target, mask).sum().backward()
    got_c = torch.cat([model.w_in.grad[0, :, 0], model.w_rec.grad[0, :, 0]]).numpy()
    got_in = torch.cat([model.w_in.grad[0, :, 1], model.w_rec.grad[0, :, 1]]).numpy()
    np.testing.assert_allclose(got_c, expected_c, rtol=1e-10)
    np.testing.assert_allclose(got_in, expected_in, rtol=1e-10)


def test_weight_counts_follow_the_1997_table():
    """Parameter counts equal the 1997 paper's "# weights" (Tables 1, 4, 7, 9)."""
    def count(**kw):
        model = LSTM(LSTMSpec(**kw), trials=1)
        return model.weight_count()

    reber = dict(input_size=7, output_size=7, recurrent="cells_and_gates", bias_gates=True)
    assert count(blocks=4, cells_per_block=1, **reber) == 264
    assert count(blocks=3, cells_per_block=2, **reber) == 276
    assert count(input_size=101, output_size=101, blocks=1, output_gate=False, recurrent="none",
                 bias_gates=False, output_sees_input=True) == 10504
    assert count(input_size=1, output_size=1, blocks=3, recurrent="cells_and_gates", bias_cells=True) == 102
    adding = dict(input_size=2, output_size=1, blocks=2, cells_per_block=2, recurrent="cells_and_gates",
                  bias_cells=True, bias_outputs=True)
    assert count(**adding) == 93
    assert count(input_size=8, output_size=4, blocks=2, cells_per_block=2, recurrent="cells_and_gates",
                 bias_cells=True, bias_outputs=True) == 156
    assert count(input_size=8, output_size=8, blocks=3, cells_per_block=2, recurrent="cells_and_gates",
                 bias_cells=True, bias_outputs=True) == 308
