"""Fused training step for the LSTM family, compiled with numba.

The papers' networks are tiny (tens to hundreds of weights), so eager PyTorch
spends its time dispatching operations, not computing. This kernel does, for
every trial of the ensemble, the forward pass over one sequence, the gradient
(back-propagation through the stored steps, with the 1997 truncation when
asked) and the momentum update, in compiled loops with the trial index
innermost (so they vectorise across trials) and zero inputs skipped (one-hot
codes). It reads and writes the
torch module's own parameter storage, so `reproductions.models.lstm.LSTM`
stays the definition; tests check that both give the same results.

Unit layout, as in the module: net inputs [cells (C) | input gates | forget
gates | output gates] (blocks each); the recurrent vector is the cell outputs,
optionally followed by the gate activations in the same order.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from numba import njit

from ..models.lstm import LSTM
from .compiled import COMPILED_STEPS

# squashing function codes
SQUASH_CODES = {"logistic": 0, "logistic_pm2": 1, "logistic_pm1": 2, "tanh": 3, "identity": 4, "relu": 5}
RECURRENT_CODES = {"none": 0, "cells": 1, "cells_and_gates": 2}

#: the flags of `lstm_train_step`, in the order it unpacks them
LSTM_FLAGS = ("recurrent", "forget_gate", "output_gate", "peepholes", "truncated_gradient", "bias_cells",
              "bias_gates", "output_sees_input", "bias_outputs", "cell_input_squash", "cell_output_squash",
              "output_squash", "blocks", "cells_per_block", "forward_only")


def kernel_flags(names: tuple[str, ...], **values) -> np.ndarray:
    """A compiled kernel's flag array (its switches and sizes as integers) from named
    values, in the order `names` gives, which is the order the kernel unpacks them."""
    if set(values) != set(names):
        raise ValueError(f"kernel flags: expected {', '.join(names)}; got {', '.join(values)}")
    return np.array([int(values[name]) for name in names], dtype=np.int64)


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
def _to_trials_last(a):
    """[K, ...] -> [..., K] (contiguous), so loops over trials are innermost."""
    K = a.shape[0]
    flat = a.reshape(K, -1)
    out = np.empty((flat.shape[1], K))
    for k in range(K):
        for i in range(flat.shape[1]):
            out[i, k] = flat[k, i]
    return out


@njit(cache=True)
def lstm_train_step(x, sym, d, mask, lengths, flags, lr, momentum,
                    w_in, w_rec, b_cells, b_gates, p_in, p_phi, p_out, w_out, w_out_in, b_out,
                    v_in, v_rec, v_cells, v_gates, vp_in, vp_phi, vp_out, v_out, v_out_in, v_bout,
                    outputs, losses):
    """One on-line step for every trial k: forward over x[k, :lengths[k]],
    gradient of E = 1/2 sum mask (y - d)^2, then Δw = -lr ∂E/∂w + momentum Δw.
    `flags`: the integers `LSTM_FLAGS` names, in that order (`kernel_flags`).

    All trials advance together with the trial index innermost, so the compiler
    vectorises across trials. Steps past a trial's length carry zero input and
    zero error and so add exactly nothing to its gradient.

    Inputs are dense (x [K, T, I]) or, for one-hot tasks, the active unit of
    each step (sym [K, T], -1 for none) with x of shape [K, T, 0]; both give
    the same bits (1.0 * w = w)."""
    (recurrent, has_forget, has_out_gate, peepholes, truncated, bias_cells, bias_gates,
     out_sees_in, bias_out, sq_g, sq_h, sq_out, n_blocks, S, forward_only) = (
        flags[0], flags[1], flags[2], flags[3], flags[4], flags[5], flags[6],
        flags[7], flags[8], flags[9], flags[10], flags[11], flags[12], flags[13], flags[14])
    K, T = x.shape[0], x.shape[1]
    sparse = x.shape[2] == 0
    I = w_in.shape[1]
    O = d.shape[2]
    C = n_blocks * S
    n_gates = 1 + has_forget + has_out_gate
    U = C + n_gates * n_blocks
    R = w_rec.shape[1] if recurrent > 0 else 0
    phi_at = C + n_blocks                       # first forget-gate unit
    out_at = C + (1 + has_forget) * n_blocks    # first output-gate unit
    # weights with the trial axis last (flattened per tensor, row-major as in torch)
    W_in = _to_trials_last(w_in)      # [I*U, K]
    W_rec = _to_trials_last(w_rec)    # [R*U, K]
    B_c = _to_trials_last(b_cells)
    B_g = _to_trials_last(b_gates)
    P_in = _to_trials_last(p_in)      # [blocks*S, K]
    P_phi = _to_trials_last(p_phi)
    P_out = _to_trials_last(p_out)
    W_out = _to_trials_last(w_out)    # [C*O, K]
    W_oi = _to_trials_last(w_out_in)  # [I*O, K]
    B_o = _to_trials_last(b_out)
    # the input part of every net input, for all steps, skipping zero inputs (one-hot codes)
    xin = np.zeros((T, U, K))
    xout = np.zeros((T, O, K))
    for k in range(K):
        for t in range(lengths[k]):
            if sparse:
                i = sym[k, t]
                if i >= 0:
                    for u in range(U):
                        xin[t, u, k] += W_in[i * U + u, k]
                    if out_sees_in:
                        for o in range(O):
                            xout[t, o, k] += W_oi[i * O + o, k]
                continue
            for i in range(I):
                xv = x[k, t, i]
                if xv != 0.0:
                    for u in range(U):
                        xin[t, u, k] += xv * W_in[i * U + u, k]
                    if out_sees_in:
                        for o in range(O):
                            xout[t, o, k] += xv * W_oi[i * O + o, k]
    Tmax = 0
    for k in range(K):
        Tmax = max(Tmax, lengths[k])
    dd = np.zeros((Tmax, O, K))
    mm = np.zeros((Tmax, K))
    for k in range(K):
        for t in range(lengths[k]):
            mm[t, k] = mask[k, t]
            for o in range(O):
                dd[t, o, k] = d[k, t, o]
    act = np.zeros((Tmax + 1, U, K))  # unit outputs (y_c for cells, activations for gates); row t+1 = step t
    gin = np.zeros((Tmax, C, K))      # g(net_c)
    s = np.zeros((Tmax + 1, C, K))    # s[t+1] = state after step t
    hs = np.zeros((Tmax, C, K))       # h(s)
    y = np.zeros((Tmax, O, K))
    net = np.zeros((U, K))
    # ---- forward
    for t in range(Tmax):
        for u in range(U):
            for k in range(K):
                net[u, k] = xin[t, u, k]
            for r in range(R):
                for k in range(K):
                    net[u, k] += act[t, r, k] * W_rec[r * U + u, k]
        if bias_cells:
            for j in range(C):
                for k in range(K):
                    net[j, k] += B_c[j, k]
        if bias_gates:
            for u in range(C, U):
                for k in range(K):
                    net[u, k] += B_g[u - C, k]
        for b in range(n_blocks):
            if peepholes:
                for v in range(S):
                    for k in range(K):
                        net[C + b, k] += P_in[b * S + v, k] * s[t, b * S + v, k]
                    if has_forget:
                        for k in range(K):
                            net[phi_at + b, k] += P_phi[b * S + v, k] * s[t, b * S + v, k]
            for k in range(K):
                # y^in = f(net_in), y^phi = f(net_phi)
                y_in = 1.0 / (1.0 + math.exp(-net[C + b, k]))
                act[t + 1, C + b, k] = y_in
                y_phi = 1.0
                if has_forget:
                    y_phi = 1.0 / (1.0 + math.exp(-net[phi_at + b, k]))
                    act[t + 1, phi_at + b, k] = y_phi
                # s(t) = y^phi s(t-1) + y^in g(net_c)
                for v in range(S):
                    j = b * S + v
                    gin[t, j, k] = _squash(sq_g, net[j, k])
                    s[t + 1, j, k] = y_phi * s[t, j, k] + y_in * gin[t, j, k]
                    hs[t, j, k] = _squash(sq_h, s[t + 1, j, k])
            # y^out sees s(t) through its peephole; y^c = y^out h(s)
            if has_out_gate:
                if peepholes:
                    for v in range(S):
                        for k in range(K):
                            net[out_at + b, k] += P_out[b * S + v, k] * s[t + 1, b * S + v, k]
                for k in range(K):
                    y_out = 1.0 / (1.0 + math.exp(-net[out_at + b, k]))
                    act[t + 1, out_at + b, k] = y_out
                    for v in range(S):
                        act[t + 1, b * S + v, k] = y_out * hs[t, b * S + v, k]
            else:
                for v in range(S):
                    for k in range(K):
                        act[t + 1, b * S + v, k] = hs[t, b * S + v, k]
        for o in range(O):
            for k in range(K):
                total = 0.0
                for j in range(C):
                    total += act[t + 1, j, k] * W_out[j * O + o, k]
                total += xout[t, o, k]
                if bias_out:
                    total += B_o[o, k]
                y[t, o, k] = _squash(sq_out, total)
    _copy_outputs(y, lengths, outputs)
    if forward_only:  # evaluation: outputs only, weights untouched
        return
    # ---- backward
    G_in = np.zeros((I * U, K))
    G_rec = np.zeros((R * U, K))
    G_c = np.zeros((C, K))
    G_g = np.zeros((n_gates * n_blocks, K))
    GP_in = np.zeros((C, K))
    GP_phi = np.zeros((C, K))
    GP_out = np.zeros((C, K))
    G_out = np.zeros((C * O, K))
    G_oi = np.zeros((I * O, K))
    G_bo = np.zeros((O, K))
    dnet_all = np.zeros((Tmax, U, K))
    dnet_o_all = np.zeros((Tmax, O, K))
    dact_next = np.zeros((U, K))   # error reaching unit outputs at t from step t+1 (full gradient)
    ds_next = np.zeros((C, K))     # error reaching s(t) from step t+1
    dyc = np.zeros((C, K))
    ds = np.zeros((C, K))
    loss = np.zeros(K)
    for t in range(Tmax - 1, -1, -1):
        dnet = dnet_all[t]
        for j in range(C):
            for k in range(K):
                dyc[j, k] = dact_next[j, k]
        for o in range(O):
            for k in range(K):
                diff = y[t, o, k] - dd[t, o, k]
                loss[k] += 0.5 * mm[t, k] * diff * diff
                dnet_o = mm[t, k] * diff * _slope(sq_out, y[t, o, k])
                dnet_o_all[t, o, k] = dnet_o
                G_bo[o, k] += dnet_o
                for j in range(C):
                    G_out[j * O + o, k] += act[t + 1, j, k] * dnet_o
                    dyc[j, k] += W_out[j * O + o, k] * dnet_o
        for b in range(n_blocks):
            for k in range(K):
                y_in = act[t + 1, C + b, k]
                y_phi = act[t + 1, phi_at + b, k] if has_forget else 1.0
                y_out = act[t + 1, out_at + b, k] if has_out_gate else 1.0
                # output gate
                dnet_out = 0.0
                if has_out_gate:
                    dy_out = dact_next[out_at + b, k]
                    for v in range(S):
                        dy_out += dyc[b * S + v, k] * hs[t, b * S + v, k]
                    dnet_out = dy_out * y_out * (1.0 - y_out)
                    dnet[out_at + b, k] = dnet_out
                # cell state: from the cell output, the carousel, and (full gradient) peepholes
                for v in range(S):
                    j = b * S + v
                    ds[j, k] = dyc[j, k] * y_out * _slope(sq_h, hs[t, j, k]) + ds_next[j, k]
                    if peepholes and has_out_gate:
                        GP_out[j, k] += dnet_out * s[t + 1, j, k]
                        if not truncated:
                            ds[j, k] += dnet_out * P_out[j, k]
                # input and forget gates, cell input
                dy_in = dact_next[C + b, k]
                dy_phi = dact_next[phi_at + b, k] if has_forget else 0.0
                for v in range(S):
                    j = b * S + v
                    dy_in += ds[j, k] * gin[t, j, k]
                    if has_forget:
                        dy_phi += ds[j, k] * s[t, j, k]
                    dnet[j, k] = ds[j, k] * y_in * _slope(sq_g, gin[t, j, k])
                dnet_in = dy_in * y_in * (1.0 - y_in)
                dnet[C + b, k] = dnet_in
                dnet_phi = 0.0
                if has_forget:
                    dnet_phi = dy_phi * y_phi * (1.0 - y_phi)
                    dnet[phi_at + b, k] = dnet_phi
                for v in range(S):
                    j = b * S + v
                    # error carried to s(t-1): the carousel (times y^phi) and, untruncated, the peepholes
                    ds_next[j, k] = ds[j, k] * y_phi
                    if peepholes:
                        GP_in[j, k] += dnet_in * s[t, j, k]
                        if has_forget:
                            GP_phi[j, k] += dnet_phi * s[t, j, k]
                        if not truncated:
                            ds_next[j, k] += dnet_in * P_in[j, k]
                            if has_forget:
                                ds_next[j, k] += dnet_phi * P_phi[j, k]
        # weights into the hidden units from the previous step
        for r in range(R):
            for u in range(U):
                for k in range(K):
                    G_rec[r * U + u, k] += act[t, r, k] * dnet[u, k]
        if bias_cells:
            for j in range(C):
                for k in range(K):
                    G_c[j, k] += dnet[j, k]
        if bias_gates:
            for u in range(C, U):
                for k in range(K):
                    G_g[u - C, k] += dnet[u, k]
        # error sent back through the recurrent connections (full gradient only)
        for r in range(U):
            for k in range(K):
                dact_next[r, k] = 0.0
        if not truncated:
            for r in range(R):
                for u in range(U):
                    for k in range(K):
                        dact_next[r, k] += W_rec[r * U + u, k] * dnet[u, k]
    # input weights: only where inputs are non-zero
    for k in range(K):
        for t in range(lengths[k]):
            if sparse:
                i = sym[k, t]
                if i >= 0:
                    for u in range(U):
                        G_in[i * U + u, k] += dnet_all[t, u, k]
                    if out_sees_in:
                        for o in range(O):
                            G_oi[i * O + o, k] += dnet_o_all[t, o, k]
                continue
            for i in range(I):
                xv = x[k, t, i]
                if xv != 0.0:
                    for u in range(U):
                        G_in[i * U + u, k] += xv * dnet_all[t, u, k]
                    if out_sees_in:
                        for o in range(O):
                            G_oi[i * O + o, k] += xv * dnet_o_all[t, o, k]
    for k in range(K):
        losses[k] = loss[k]
    # ---- Δw = -lr ∂E/∂w + momentum Δw, per trial
    _update(w_in, v_in, G_in, lr, momentum)
    if R > 0:
        _update(w_rec, v_rec, G_rec, lr, momentum)
    if bias_cells:
        _update(b_cells, v_cells, G_c, lr, momentum)
    if bias_gates:
        _update(b_gates, v_gates, G_g, lr, momentum)
    if peepholes:
        _update(p_in, vp_in, GP_in, lr, momentum)
        if has_forget:
            _update(p_phi, vp_phi, GP_phi, lr, momentum)
        if has_out_gate:
            _update(p_out, vp_out, GP_out, lr, momentum)
    _update(w_out, v_out, G_out, lr, momentum)
    if out_sees_in:
        _update(w_out_in, v_out_in, G_oi, lr, momentum)
    if bias_out:
        _update(b_out, v_bout, G_bo, lr, momentum)


@njit(cache=True)
def _copy_outputs(y, lengths, outputs):
    """y [T, O, K] (trials last) -> outputs [K, T, O], each trial up to its length."""
    for k in range(outputs.shape[0]):
        for t in range(lengths[k]):
            for o in range(outputs.shape[2]):
                outputs[k, t, o] = y[t, o, k]


@njit(cache=True)
def _update(w, v, g, lr, momentum):
    """v = momentum v - lr g; w = w + v, on torch's [K, ...] storage; g is [n, K]."""
    K = w.shape[0]
    flat_w = w.reshape(K, -1)
    flat_v = v.reshape(K, -1)
    for k in range(K):
        for i in range(flat_w.shape[1]):
            flat_v[k, i] = momentum * flat_v[k, i] - lr[k] * g[i, k]
            flat_w[k, i] += flat_v[k, i]


@njit(cache=True)
def lstm_train_block(xb, symb, db, maskb, lengthsb, flags, lr, momentum,
                     w_in, w_rec, b_cells, b_gates, p_in, p_phi, p_out, w_out, w_out_in, b_out,
                     v_in, v_rec, v_cells, v_gates, vp_in, vp_phi, vp_out, v_out, v_out_in, v_bout,
                     outputs, losses):
    """`lstm_train_step` for sequences j = 0, 1, ... of a block in turn: xb is
    [J, K, T, I] (or [J, K, T, 0] with symb [J, K, T]); outputs [J, K, T, O]
    and losses [J, K] per sequence."""
    for j in range(xb.shape[0]):
        lstm_train_step(xb[j], symb[j], db[j], maskb[j], lengthsb[j], flags, lr, momentum,
                        w_in, w_rec, b_cells, b_gates, p_in, p_phi, p_out, w_out, w_out_in, b_out,
                        v_in, v_rec, v_cells, v_gates, vp_in, vp_phi, vp_out, v_out, v_out_in, v_bout,
                        outputs[j], losses[j])


PARAMETER_ORDER = ("w_in", "w_rec", "b_cells", "b_gates", "w_peep_in", "w_peep_phi", "w_peep_out",
                   "w_out", "w_out_in", "b_out")


def supports(model) -> bool:
    """Whether the fused step implements this model (the LSTM family in float64)."""
    return isinstance(model, LSTM) and model.dtype == torch.float64


@COMPILED_STEPS.register("lstm")
class FusedLSTMStep:
    """Calls the kernel on a torch LSTM ensemble's own storage."""

    kernel_block = staticmethod(lstm_train_block)
    supports = staticmethod(supports)

    def __init__(self, model):
        spec = model.spec
        self.names = dict(
            recurrent=RECURRENT_CODES[spec.recurrent], forget_gate=spec.forget_gate, output_gate=spec.output_gate,
            peepholes=spec.peepholes, truncated_gradient=spec.truncated_gradient, bias_cells=spec.bias_cells,
            bias_gates=spec.bias_gates, output_sees_input=spec.output_sees_input, bias_outputs=spec.bias_outputs,
            cell_input_squash=SQUASH_CODES[spec.cell_input_squash],
            cell_output_squash=SQUASH_CODES[spec.cell_output_squash], output_squash=SQUASH_CODES[spec.output_squash],
            blocks=spec.blocks, cells_per_block=spec.cells_per_block)
        self.flags = kernel_flags(LSTM_FLAGS, **self.names, forward_only=0)
        #: the same net, forward pass only (no gradient, no update): for evaluation
        self.forward_flags = kernel_flags(LSTM_FLAGS, **self.names, forward_only=1)

    @staticmethod
    def _arrays(model, tensors: dict) -> list[np.ndarray]:
        """Numpy views of each parameter (or of its velocity); empty where absent (as many
        trials as the tensors given: an ensemble's, or a subset of its trials)."""
        K = next(iter(tensors.values())).shape[0]
        views = []
        for name in PARAMETER_ORDER:
            if name in tensors:
                views.append(tensors[name].detach().numpy())
            else:
                views.append(np.zeros((K, 1, 1)) if name in ("w_in", "w_rec", "w_peep_in", "w_peep_phi",
                                                             "w_peep_out", "w_out", "w_out_in") else np.zeros((K, 1)))
        return views

    def _storage(self, model, velocity):
        # numpy views share the tensors' memory; rebuilt only when the tensors change
        key = (id(model.w_in), id(velocity["w_in"]))
        if getattr(self, "_key", None) != key:
            self._views = (self._arrays(model, dict(model.named_parameters())) + self._arrays(model, velocity))
            self._key = key
        return self._views

    def __call__(self, model, velocity: dict, x, d, mask, lengths, lr, momentum):
        """One sequence per trial: x [K, T, I]; returns outputs [K, T, O], losses [K]."""
        outputs, losses = self.block(model, velocity, x[None], d[None], mask[None], lengths[None], lr, momentum)
        return outputs[0], losses[0]

    def block(self, model, velocity: dict, xb, db, maskb, lengthsb, lr, momentum, symb=None):
        """J sequences per trial, one after another: xb [J, K, T, I] (or, for one-hot
        inputs, symb [J, K, T] with xb [J, K, T, 0]); returns outputs [J, K, T, O],
        losses [J, K]."""
        J, K, T, _ = xb.shape
        if symb is None:
            symb = np.empty((J, K, 0), dtype=np.int64)
        outputs = np.zeros((J, K, T, db.shape[3]))
        losses = np.zeros((J, K))
        self.kernel_block(xb, symb, db, maskb, lengthsb, self.flags, lr, momentum, *self._storage(model, velocity),
                          outputs, losses)
        return outputs, losses
