"""Fused training step for Elman's simple recurrent network (the papers' baselines).

The same idea as `fused_lstm`: for every trial of the ensemble, the forward pass
over one sequence, the full gradient (back-propagation through time) and the
momentum update in one compiled call, trial index innermost, zero inputs
skipped. It reads and writes the torch module's own storage, so
`reproductions.models.baselines.SRN` stays the definition; tests check that
both give the same results.
"""

from __future__ import annotations

import numpy as np
import torch
from numba import njit

from ..models.baselines import SRN
from .compiled import COMPILED_STEPS
from .fused_lstm import SQUASH_CODES, FusedLSTMStep, _copy_outputs, _slope, _squash, _to_trials_last, _update, kernel_flags

#: the flags of `srn_train_step`, in the order it unpacks them
SRN_FLAGS = ("hidden_squash", "output_squash", "forward_only")


@njit(cache=True)
def srn_train_step(x, sym, d, mask, lengths, flags, lr, momentum,
                   w_in, w_rec, b_hidden, w_out, b_out,
                   v_in, v_rec, v_hidden, v_out, v_bout,
                   outputs, losses):
    """One on-line step for every trial k: forward over x[k, :lengths[k]],
    gradient of E = 1/2 sum mask (y - d)^2 through time, then
    Δw = -lr ∂E/∂w + momentum Δw. flags: (hidden squash, output squash,
    forward only). Inputs dense (x [K, T, I]) or one-hot (sym [K, T], x [K, T, 0]),
    as in `lstm_train_step`."""
    sq_h, sq_out, forward_only = flags[0], flags[1], flags[2]
    K = x.shape[0]
    sparse = x.shape[2] == 0
    I = w_in.shape[1]
    O = d.shape[2]
    H = b_hidden.shape[1]
    W_in = _to_trials_last(w_in)    # [I*H, K]
    W_rec = _to_trials_last(w_rec)  # [H*H, K]
    B_h = _to_trials_last(b_hidden)
    W_out = _to_trials_last(w_out)  # [H*O, K]
    B_o = _to_trials_last(b_out)
    Tmax = 0
    for k in range(K):
        Tmax = max(Tmax, lengths[k])
    # W x(t), skipping zero inputs (one-hot codes)
    xin = np.zeros((Tmax, H, K))
    for k in range(K):
        for t in range(lengths[k]):
            if sparse:
                if sym[k, t] >= 0:
                    for h in range(H):
                        xin[t, h, k] += W_in[sym[k, t] * H + h, k]
                continue
            for i in range(I):
                xv = x[k, t, i]
                if xv != 0.0:
                    for h in range(H):
                        xin[t, h, k] += xv * W_in[i * H + h, k]
    hs = np.zeros((Tmax + 1, H, K))  # hs[t+1] = h(t)
    y = np.zeros((Tmax, O, K))
    net = np.zeros((H, K))
    # ---- forward
    for t in range(Tmax):
        for h in range(H):
            for k in range(K):
                net[h, k] = xin[t, h, k] + B_h[h, k]
        # h(t) = f(W x(t) + U h(t-1) + b)
        for r in range(H):
            for h in range(H):
                for k in range(K):
                    net[h, k] += hs[t, r, k] * W_rec[r * H + h, k]
        for h in range(H):
            for k in range(K):
                # past a trial's end the state is held at zero (a ReLU net could overflow there)
                hs[t + 1, h, k] = _squash(sq_h, net[h, k]) if t < lengths[k] else 0.0
        # y(t) = g(V h(t) + c)
        for o in range(O):
            for k in range(K):
                total = B_o[o, k]
                for h in range(H):
                    total += hs[t + 1, h, k] * W_out[h * O + o, k]
                y[t, o, k] = _squash(sq_out, total)
    _copy_outputs(y, lengths, outputs)
    if forward_only:  # evaluation: outputs only, weights untouched
        return
    # ---- backward through time
    G_in = np.zeros((I * H, K))
    G_rec = np.zeros((H * H, K))
    G_h = np.zeros((H, K))
    G_out = np.zeros((H * O, K))
    G_bo = np.zeros((O, K))
    dnet_all = np.zeros((Tmax, H, K))
    dh = np.zeros((H, K))
    dh_next = np.zeros((H, K))  # error reaching h(t) from step t+1
    loss = np.zeros(K)
    for t in range(Tmax - 1, -1, -1):
        for h in range(H):
            for k in range(K):
                dh[h, k] = dh_next[h, k]
        for o in range(O):
            for k in range(K):
                m = mask[k, t] if t < lengths[k] else 0.0
                diff = y[t, o, k] - (d[k, t, o] if t < lengths[k] else 0.0)
                loss[k] += 0.5 * m * diff * diff
                dnet_o = m * diff * _slope(sq_out, y[t, o, k])
                G_bo[o, k] += dnet_o
                for h in range(H):
                    G_out[h * O + o, k] += hs[t + 1, h, k] * dnet_o
                    dh[h, k] += W_out[h * O + o, k] * dnet_o
        dnet = dnet_all[t]
        for h in range(H):
            for k in range(K):
                dnet[h, k] = dh[h, k] * _slope(sq_h, hs[t + 1, h, k])
                G_h[h, k] += dnet[h, k]
        for r in range(H):
            for k in range(K):
                dh_next[r, k] = 0.0
            for h in range(H):
                for k in range(K):
                    G_rec[r * H + h, k] += hs[t, r, k] * dnet[h, k]
                    dh_next[r, k] += W_rec[r * H + h, k] * dnet[h, k]
    for k in range(K):
        for t in range(lengths[k]):
            if sparse:
                if sym[k, t] >= 0:
                    for h in range(H):
                        G_in[sym[k, t] * H + h, k] += dnet_all[t, h, k]
                continue
            for i in range(I):
                xv = x[k, t, i]
                if xv != 0.0:
                    for h in range(H):
                        G_in[i * H + h, k] += xv * dnet_all[t, h, k]
    for k in range(K):
        losses[k] = loss[k]
    # ---- Δw = -lr ∂E/∂w + momentum Δw, per trial
    _update(w_in, v_in, G_in, lr, momentum)
    _update(w_rec, v_rec, G_rec, lr, momentum)
    _update(b_hidden, v_hidden, G_h, lr, momentum)
    _update(w_out, v_out, G_out, lr, momentum)
    _update(b_out, v_bout, G_bo, lr, momentum)


@njit(cache=True)
def srn_train_block(xb, symb, db, maskb, lengthsb, flags, lr, momentum,
                    w_in, w_rec, b_hidden, w_out, b_out,
                    v_in, v_rec, v_hidden, v_out, v_bout,
                    outputs, losses):
    """`srn_train_step` for sequences j = 0, 1, ... of a block in turn."""
    for j in range(xb.shape[0]):
        srn_train_step(xb[j], symb[j], db[j], maskb[j], lengthsb[j], flags, lr, momentum,
                       w_in, w_rec, b_hidden, w_out, b_out, v_in, v_rec, v_hidden, v_out, v_bout,
                       outputs[j], losses[j])


SRN_PARAMETERS = ("w_in", "w_rec", "b_hidden", "w_out", "b_out")


def supports(model) -> bool:
    """Whether this kernel implements the model (the SRN in float64)."""
    return isinstance(model, SRN) and model.dtype == torch.float64


@COMPILED_STEPS.register("srn")
class FusedSRNStep(FusedLSTMStep):
    """Calls the kernel on a torch SRN ensemble's own storage (FusedLSTMStep's calls)."""

    kernel_block = staticmethod(srn_train_block)
    supports = staticmethod(supports)

    def __init__(self, model):
        spec = model.spec
        names = dict(hidden_squash=SQUASH_CODES[spec.hidden_squash], output_squash=SQUASH_CODES[spec.output_squash])
        self.flags = kernel_flags(SRN_FLAGS, **names, forward_only=0)
        #: forward pass only (no gradient, no update): for evaluation
        self.forward_flags = kernel_flags(SRN_FLAGS, **names, forward_only=1)

    @staticmethod
    def _arrays(model, tensors: dict) -> list[np.ndarray]:
        return [tensors[name].detach().numpy() for name in SRN_PARAMETERS]
