"""Fused training step for the LSTM family, compiled with numba.

The papers' networks are tiny (tens to hundreds of weights), so eager PyTorch
spends its time dispatching operations, not computing. This kernel does, for
every trial of the ensemble, the forward pass over one sequence, the gradient
(back-propagation through the stored steps, with the 1997 truncation when
asked) and the momentum update, in compiled loops. It reads and writes the
torch module's own parameter storage, so `reproductions.models.lstm.LSTM`
stays the definition; tests check that both give the same results.

Unit layout, as in the module: net inputs [cells (C) | input gates | forget
gates | output gates] (blocks each); the recurrent vector is the cell outputs,
optionally followed by the gate activations in the same order.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# squashing function codes
SQUASH_CODES = {"logistic": 0, "logistic_pm2": 1, "logistic_pm1": 2, "tanh": 3, "identity": 4, "relu": 5}
RECURRENT_CODES = {"none": 0, "cells": 1, "cells_and_gates": 2}


@njit(cache=True, inline="always")
def _squash(code, x):
    if code == 0:
        return 1.0 / (1.0 + math.exp(-x))
    if code == 1:
        return 4.0 / (1.0 + math.exp(-x)) - 2.0
    if code == 2:
        return 2.0 / (1.0 + math.exp(-x)) - 1.0
    if code == 3:
        return math.tanh(x)
    if code == 4:
        return x
    return x if x > 0.0 else 0.0


@njit(cache=True, inline="always")
def _slope(code, y):
    """Derivative of the squashing function, written in terms of its output y."""
    if code == 0:
        return y * (1.0 - y)
    if code == 1:
        sig = (y + 2.0) * 0.25
        return 4.0 * sig * (1.0 - sig)
    if code == 2:
        sig = (y + 1.0) * 0.5
        return 2.0 * sig * (1.0 - sig)
    if code == 3:
        return 1.0 - y * y
    if code == 4:
        return 1.0
    return 1.0 if y > 0.0 else 0.0


@njit(cache=True)
def lstm_train_step(x, d, mask, lengths, flags, lr, momentum,
                    w_in, w_rec, b_cells, b_gates, p_in, p_phi, p_out, w_out, w_out_in, b_out,
                    v_in, v_rec, v_cells, v_gates, vp_in, vp_phi, vp_out, v_out, v_out_in, v_bout,
                    outputs, losses):
    """One on-line step for every trial k: forward over x[k, :lengths[k]],
    gradient of E = 1/2 sum mask (y - d)^2, then Δw = -lr ∂E/∂w + momentum Δw."""
    (recurrent, has_forget, has_out_gate, peepholes, truncated, bias_cells, bias_gates,
     out_sees_in, bias_out, sq_g, sq_h, sq_out, n_blocks, S) = (
        flags[0], flags[1], flags[2], flags[3], flags[4], flags[5], flags[6],
        flags[7], flags[8], flags[9], flags[10], flags[11], flags[12], flags[13])
    K, T, I = x.shape
    O = d.shape[2]
    C = n_blocks * S
    n_gates = 1 + has_forget + has_out_gate
    U = C + n_gates * n_blocks
    R = w_rec.shape[1] if recurrent > 0 else 0
    phi_at = C + n_blocks            # first forget-gate unit
    out_at = C + (1 + has_forget) * n_blocks  # first output-gate unit
    # per-step activations, reused across trials
    act = np.zeros((T + 1, U))       # unit outputs: y_c for cells, activations for gates; row t+1 = step t
    gin = np.zeros((T, C))           # g(net_c)
    s = np.zeros((T + 1, C))         # s[t+1] = state after step t, s[0] = 0
    hs = np.zeros((T, C))            # h(s)
    y = np.zeros((T, O))
    g_in = np.zeros_like(w_in[0])
    g_rec = np.zeros_like(w_rec[0])
    g_cells = np.zeros_like(b_cells[0])
    g_gates = np.zeros_like(b_gates[0])
    gp_in = np.zeros_like(p_in[0])
    gp_phi = np.zeros_like(p_phi[0])
    gp_out = np.zeros_like(p_out[0])
    g_out = np.zeros_like(w_out[0])
    g_out_in = np.zeros_like(w_out_in[0])
    g_bout = np.zeros_like(b_out[0])
    net = np.zeros(U)
    dnet = np.zeros(U)
    dact_next = np.zeros(U)          # error reaching unit outputs at t from step t+1 (full gradient)
    ds_next = np.zeros(C)            # error reaching s(t) from step t+1
    dyc = np.zeros(C)
    ds = np.zeros(C)
    for k in range(K):
        L = lengths[k]
        # ---- forward
        for t in range(L):
            for u in range(U):
                total = 0.0
                for i in range(I):
                    total += x[k, t, i] * w_in[k, i, u]
                for r in range(R):
                    total += act[t, r] * w_rec[k, r, u]
                net[u] = total
            if bias_cells:
                for j in range(C):
                    net[j] += b_cells[k, j]
            if bias_gates:
                for u in range(C, U):
                    net[u] += b_gates[k, u - C]
            for b in range(n_blocks):
                if peepholes:
                    for v in range(S):
                        net[C + b] += p_in[k, b, v] * s[t, b * S + v]
                        if has_forget:
                            net[phi_at + b] += p_phi[k, b, v] * s[t, b * S + v]
                # y^in = f(net_in), y^phi = f(net_phi)
                y_in = 1.0 / (1.0 + math.exp(-net[C + b]))
                act[t + 1, C + b] = y_in
                y_phi = 1.0
                if has_forget:
                    y_phi = 1.0 / (1.0 + math.exp(-net[phi_at + b]))
                    act[t + 1, phi_at + b] = y_phi
                # s(t) = y^phi s(t-1) + y^in g(net_c)
                for v in range(S):
                    j = b * S + v
                    gin[t, j] = _squash(sq_g, net[j])
                    s[t + 1, j] = y_phi * s[t, j] + y_in * gin[t, j]
                    hs[t, j] = _squash(sq_h, s[t + 1, j])
                # y^out sees s(t) through its peephole; y^c = y^out h(s)
                y_out = 1.0
                if has_out_gate:
                    if peepholes:
                        for v in range(S):
                            net[out_at + b] += p_out[k, b, v] * s[t + 1, b * S + v]
                    y_out = 1.0 / (1.0 + math.exp(-net[out_at + b]))
                    act[t + 1, out_at + b] = y_out
                for v in range(S):
                    act[t + 1, b * S + v] = y_out * hs[t, b * S + v]
            for o in range(O):
                total = 0.0
                for j in range(C):
                    total += act[t + 1, j] * w_out[k, j, o]
                if out_sees_in:
                    for i in range(I):
                        total += x[k, t, i] * w_out_in[k, i, o]
                if bias_out:
                    total += b_out[k, o]
                y[t, o] = _squash(sq_out, total)
                outputs[k, t, o] = y[t, o]
        # ---- backward
        g_in[:] = 0.0
        g_rec[:] = 0.0
        g_cells[:] = 0.0
        g_gates[:] = 0.0
        gp_in[:] = 0.0
        gp_phi[:] = 0.0
        gp_out[:] = 0.0
        g_out[:] = 0.0
        g_out_in[:] = 0.0
        g_bout[:] = 0.0
        dact_next[:] = 0.0
        ds_next[:] = 0.0
        loss = 0.0
        for t in range(L - 1, -1, -1):
            for j in range(C):
                dyc[j] = dact_next[j]
            for o in range(O):
                diff = y[t, o] - d[k, t, o]
                loss += 0.5 * mask[k, t] * diff * diff
                dnet_o = mask[k, t] * diff * _slope(sq_out, y[t, o])
                if dnet_o == 0.0:
                    continue
                for j in range(C):
                    g_out[j, o] += act[t + 1, j] * dnet_o
                    dyc[j] += w_out[k, j, o] * dnet_o
                if out_sees_in:
                    for i in range(I):
                        g_out_in[i, o] += x[k, t, i] * dnet_o
                if bias_out:
                    g_bout[o] += dnet_o
            for b in range(n_blocks):
                y_in = act[t + 1, C + b]
                y_phi = act[t + 1, phi_at + b] if has_forget else 1.0
                y_out = act[t + 1, out_at + b] if has_out_gate else 1.0
                # output gate
                if has_out_gate:
                    dy_out = dact_next[out_at + b]
                    for v in range(S):
                        dy_out += dyc[b * S + v] * hs[t, b * S + v]
                    dnet_out = dy_out * y_out * (1.0 - y_out)
                    dnet[out_at + b] = dnet_out
                else:
                    dnet_out = 0.0
                # cell state: from the cell output, the carousel, and (full gradient) peepholes
                for v in range(S):
                    j = b * S + v
                    ds[j] = dyc[j] * y_out * _slope(sq_h, hs[t, j]) + ds_next[j]
                    if peepholes and has_out_gate:
                        gp_out[b, v] += dnet_out * s[t + 1, j]
                        if not truncated:
                            ds[j] += dnet_out * p_out[k, b, v]
                # input and forget gates, cell input
                dy_in = dact_next[C + b]
                dy_phi = dact_next[phi_at + b] if has_forget else 0.0
                for v in range(S):
                    j = b * S + v
                    dy_in += ds[j] * gin[t, j]
                    if has_forget:
                        dy_phi += ds[j] * s[t, j]
                    dnet[j] = ds[j] * y_in * _slope(sq_g, gin[t, j])
                dnet_in = dy_in * y_in * (1.0 - y_in)
                dnet[C + b] = dnet_in
                dnet_phi = 0.0
                if has_forget:
                    dnet_phi = dy_phi * y_phi * (1.0 - y_phi)
                    dnet[phi_at + b] = dnet_phi
                for v in range(S):
                    j = b * S + v
                    # error carried to s(t-1): the carousel (times y^phi) and, untruncated, the peepholes
                    ds_next[j] = ds[j] * y_phi
                    if peepholes:
                        gp_in[b, v] += dnet_in * s[t, j]
                        if has_forget:
                            gp_phi[b, v] += dnet_phi * s[t, j]
                        if not truncated:
                            ds_next[j] += dnet_in * p_in[k, b, v]
                            if has_forget:
                                ds_next[j] += dnet_phi * p_phi[k, b, v]
            # weights into the hidden units
            for u in range(U):
                du = dnet[u]
                for i in range(I):
                    g_in[i, u] += x[k, t, i] * du
                for r in range(R):
                    g_rec[r, u] += act[t, r] * du
            if bias_cells:
                for j in range(C):
                    g_cells[j] += dnet[j]
            if bias_gates:
                for u in range(C, U):
                    g_gates[u - C] += dnet[u]
            # error sent back through the recurrent connections (full gradient only)
            for r in range(U):
                dact_next[r] = 0.0
            if not truncated:
                for r in range(R):
                    total = 0.0
                    for u in range(U):
                        total += w_rec[k, r, u] * dnet[u]
                    dact_next[r] = total
        losses[k] = loss
        # ---- Δw = -lr ∂E/∂w + momentum Δw, per trial
        a = lr[k]
        _update(w_in[k], v_in[k], g_in, a, momentum)
        if R > 0:
            _update(w_rec[k], v_rec[k], g_rec, a, momentum)
        if bias_cells:
            _update(b_cells[k], v_cells[k], g_cells, a, momentum)
        if bias_gates:
            _update(b_gates[k], v_gates[k], g_gates, a, momentum)
        if peepholes:
            _update(p_in[k], vp_in[k], gp_in, a, momentum)
            if has_forget:
                _update(p_phi[k], vp_phi[k], gp_phi, a, momentum)
            if has_out_gate:
                _update(p_out[k], vp_out[k], gp_out, a, momentum)
        _update(w_out[k], v_out[k], g_out, a, momentum)
        if out_sees_in:
            _update(w_out_in[k], v_out_in[k], g_out_in, a, momentum)
        if bias_out:
            _update(b_out[k], v_bout[k], g_bout, a, momentum)


@njit(cache=True)
def _update(w, v, g, lr, momentum):
    flat_w = w.reshape(-1)
    flat_v = v.reshape(-1)
    flat_g = g.reshape(-1)
    for i in range(flat_w.size):
        flat_v[i] = momentum * flat_v[i] - lr * flat_g[i]
        flat_w[i] += flat_v[i]


PARAMETER_ORDER = ("w_in", "w_rec", "b_cells", "b_gates", "w_peep_in", "w_peep_phi", "w_peep_out",
                   "w_out", "w_out_in", "b_out")


def supports(model) -> bool:
    """Whether the fused step implements this model (the LSTM family in float64)."""
    from ..models.lstm import LSTM
    import torch

    return isinstance(model, LSTM) and model.dtype == torch.float64


class FusedLSTMStep:
    """Calls the kernel on a torch LSTM ensemble's own storage."""

    def __init__(self, model):
        spec = model.spec
        self.flags = np.array([
            RECURRENT_CODES[spec.recurrent], int(spec.forget_gate), int(spec.output_gate), int(spec.peepholes),
            int(spec.truncated_gradient), int(spec.bias_cells), int(spec.bias_gates), int(spec.output_sees_input),
            int(spec.bias_outputs), SQUASH_CODES[spec.cell_input_squash], SQUASH_CODES[spec.cell_output_squash],
            SQUASH_CODES[spec.output_squash], spec.blocks, spec.cells_per_block], dtype=np.int64)

    @staticmethod
    def _arrays(model, tensors: dict) -> list[np.ndarray]:
        """Numpy views of each parameter (or of its velocity); empty where absent."""
        K = model.trials
        views = []
        for name in PARAMETER_ORDER:
            if name in tensors:
                views.append(tensors[name].detach().numpy())
            else:
                views.append(np.zeros((K, 1, 1)) if name in ("w_in", "w_rec", "w_peep_in", "w_peep_phi",
                                                             "w_peep_out", "w_out", "w_out_in") else np.zeros((K, 1)))
        return views

    def __call__(self, model, velocity: dict, x, d, mask, lengths, lr, momentum):
        K, T, _ = x.shape
        outputs = np.zeros((K, T, d.shape[2]))
        losses = np.zeros(K)
        # numpy views share the tensors' memory; rebuilt only when the tensors change
        key = (id(model.w_in), id(velocity["w_in"]))
        if getattr(self, "_key", None) != key:
            self._views = (self._arrays(model, dict(model.named_parameters())) + self._arrays(model, velocity))
            self._key = key
        lstm_train_step(x, d, mask, lengths, self.flags, lr, momentum, *self._views, outputs, losses)
        return outputs, losses
