"""Real-time training of the 1997 LSTM: weights change after every time step.

The 1997 paper computes its truncated gradient forward in time, RTRL-style
(its Appendix A.1): each cell keeps the derivatives of its state with respect
to the weights into the cell and into its input gate (Eqs. 25 and 27), and
"time t's contribution" to a weight's update (Eqs. 22, 26, 28) is available at
step t. Whether the paper applied each contribution at once or summed them over
a sequence it does not say ("each weight's total update is the sum of the
contributions of all time steps"); `fused_lstm` sums them (one update per
sequence). This kernel can do either: with `every_step` it applies each step's
contribution before the next step (real-time recurrent learning); without it,
it sums them and must then equal `fused_lstm` (a test checks).

Only the 1997 cell: an input gate, an output gate or none (Exp. 2), no forget
gate, no peepholes, the truncated gradient. Weights and layout are the torch module's (see fused_lstm).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .fused_lstm import LSTM_FLAGS, FusedLSTMStep, _slope, _squash, kernel_flags

#: the flags of `lstm1997_rtrl_step`, in the order it unpacks them
RTRL_FLAGS = (*LSTM_FLAGS, "every_step")


@njit(cache=True)
def lstm1997_rtrl_step(x, sym, d, mask, lengths, flags, lr, momentum,
                       w_in, w_rec, b_cells, b_gates, p_in, p_phi, p_out, w_out, w_out_in, b_out,
                       v_in, v_rec, v_cells, v_gates, vp_in, vp_phi, vp_out, v_out, v_out_in, v_bout,
                       outputs, losses):
    """One sequence per trial k, forward in time. flags as in `lstm_train_step`, plus
    flags[15]: 1 = apply every step's update at once, 0 = sum them over the sequence."""
    (recurrent, has_out_gate, bias_cells, bias_gates, out_sees_in, bias_out, sq_g, sq_h, sq_out, n_blocks, S,
     forward_only, every_step) = (flags[0], flags[2], flags[5], flags[6], flags[7], flags[8], flags[9], flags[10],
                                  flags[11], flags[12], flags[13], flags[14], flags[15])
    K = x.shape[0]
    sparse = x.shape[2] == 0
    I = w_in.shape[1]
    O = d.shape[2]
    C = n_blocks * S
    U = C + (1 + has_out_gate) * n_blocks
    R = w_rec.shape[1] if recurrent > 0 else 0
    out_at = C + n_blocks
    # sources m of a hidden unit's net input: inputs (I), previous recurrent vector (R), bias (1)
    M = I + R + 1
    for k in range(K):
        # weights of trial k, as [source, unit] views of torch's [K, ...] storage
        Win = w_in[k]
        Wrec = w_rec[k]
        Wout = w_out[k]
        Woi = w_out_in[k]
        G_in = np.zeros((I * U, 1))
        G_rec = np.zeros((max(R, 1) * U, 1))
        G_c = np.zeros((C, 1))
        G_g = np.zeros(((1 + has_out_gate) * n_blocks, 1))
        G_out = np.zeros((C * O, 1))
        G_oi = np.zeros((I * O, 1))
        G_bo = np.zeros((O, 1))
        # d s_j / d w for weights into cell j (dSc) and into j's input gate (dSin), per source m
        dSc = np.zeros((C, M))
        dSin = np.zeros((C, M))
        src = np.zeros(M)          # y^m: this step's inputs, previous recurrent vector, 1
        prev = np.zeros(max(R, 1))
        s = np.zeros(C)
        net = np.zeros(U)
        act = np.zeros(U)
        hs = np.zeros(C)
        gval = np.zeros(C)
        y = np.zeros(O)
        loss = 0.0
        # inputs active so far in this sequence: the only rows of the input weights with
        # non-zero gradient (skipping the others makes per-step updates of 10,000 weights cheap)
        seen = np.zeros(I, dtype=np.bool_)
        active = np.zeros(I, dtype=np.int64)
        for t in range(lengths[k]):
            # ---- forward, with the current weights
            for m in range(M):
                src[m] = 0.0
            if sparse:
                if sym[k, t] >= 0:
                    src[sym[k, t]] = 1.0
            else:
                for i in range(I):
                    src[i] = x[k, t, i]
            n_active = 0  # this step's non-zero inputs, in order (one for one-hot codes)
            for i in range(I):
                if src[i] != 0.0:
                    seen[i] = True
                    active[n_active] = i
                    n_active += 1
            for r in range(R):
                src[I + r] = prev[r]
            src[M - 1] = 1.0
            for u in range(U):
                total = 0.0
                for a in range(n_active):
                    total += src[active[a]] * Win[active[a], u]
                for r in range(R):
                    total += src[I + r] * Wrec[r, u]
                if u < C:
                    if bias_cells:
                        total += b_cells[k, u]
                elif bias_gates:
                    total += b_gates[k, u - C]
                net[u] = total
            for b in range(n_blocks):
                y_in = 1.0 / (1.0 + math.exp(-net[C + b]))
                act[C + b] = y_in
                y_out = 1.0  # a cell without an output gate (1997 Exp. 2) shows h(s) as it is
                if has_out_gate:
                    y_out = 1.0 / (1.0 + math.exp(-net[out_at + b]))
                    act[out_at + b] = y_out
                slope_in = y_in * (1.0 - y_in)
                for v in range(S):
                    j = b * S + v
                    gval[j] = _squash(sq_g, net[j])
                    # Eqs. 25, 27: the derivatives carried by the carousel (previous sources)
                    slope_g = _slope(sq_g, gval[j])
                    for m in range(M):
                        if src[m] != 0.0:
                            dSc[j, m] += slope_g * y_in * src[m]
                            dSin[j, m] += gval[j] * slope_in * src[m]
                    s[j] = s[j] + y_in * gval[j]
                    hs[j] = _squash(sq_h, s[j])
                    act[j] = y_out * hs[j]
            for o in range(O):
                total = 0.0
                for j in range(C):
                    total += act[j] * Wout[j, o]
                if out_sees_in:
                    for a in range(n_active):
                        total += src[active[a]] * Woi[active[a], o]
                if bias_out:
                    total += b_out[k, o]
                y[o] = _squash(sq_out, total)
                outputs[k, t, o] = y[o]
            for r in range(R):
                prev[r] = act[r]
            if forward_only:
                continue
            # ---- this step's contributions (Eqs. 19-28), with the weights of this step
            mt = mask[k, t]
            if mt == 0.0:
                continue
            for o in range(O):
                diff = y[o] - d[k, t, o]
                loss += 0.5 * mt * diff * diff
            for o in range(O):
                # -e_k: gradient of 1/2 (d - y)^2 at net_k
                ek = mt * (y[o] - d[k, t, o]) * _slope(sq_out, y[o])
                G_bo[o, 0] += ek
                for j in range(C):
                    G_out[j * O + o, 0] += act[j] * ek
                if out_sees_in:
                    for a in range(n_active):
                        G_oi[active[a] * O + o, 0] += src[active[a]] * ek
            for b in range(n_blocks):
                y_out = act[out_at + b] if has_out_gate else 1.0
                # Eq. 21: output gate error; Eq. 23: internal state errors
                e_out = 0.0
                for v in range(S):
                    j = b * S + v
                    back = 0.0
                    for o in range(O):
                        back += Wout[j, o] * mt * (y[o] - d[k, t, o]) * _slope(sq_out, y[o])
                    e_out += hs[j] * back
                    e_s = y_out * _slope(sq_h, hs[j]) * back
                    # Eqs. 26, 28: cell and input gate weights through the stored derivatives
                    for m in range(M):
                        if dSc[j, m] != 0.0 or dSin[j, m] != 0.0:
                            if m < I:
                                G_in[m * U + j, 0] += e_s * dSc[j, m]
                                G_in[m * U + C + b, 0] += e_s * dSin[j, m]
                            elif m < I + R:
                                G_rec[(m - I) * U + j, 0] += e_s * dSc[j, m]
                                G_rec[(m - I) * U + C + b, 0] += e_s * dSin[j, m]
                            else:
                                if bias_cells:
                                    G_c[j, 0] += e_s * dSc[j, m]
                                if bias_gates:
                                    G_g[b, 0] += e_s * dSin[j, m]
                if not has_out_gate:
                    continue
                e_out *= y_out * (1.0 - y_out)
                # Eq. 22 for the output gate: e_out y^m(t-1)
                for m in range(M):
                    if src[m] != 0.0:
                        if m < I:
                            G_in[m * U + out_at + b, 0] += e_out * src[m]
                        elif m < I + R:
                            G_rec[(m - I) * U + out_at + b, 0] += e_out * src[m]
                        elif bias_gates:
                            G_g[n_blocks + b, 0] += e_out
            if every_step and momentum == 0.0:
                _sparse_step_update(k, lr[k], R, bias_cells, bias_gates, out_sees_in, bias_out, seen, src,
                                    w_in, w_rec, b_cells, b_gates, w_out, w_out_in, b_out,
                                    G_in, G_rec, G_c, G_g, G_out, G_oi, G_bo)
            elif every_step:
                _step_update(k, lr, momentum, R, bias_cells, bias_gates, out_sees_in, bias_out,
                             w_in, w_rec, b_cells, b_gates, w_out, w_out_in, b_out,
                             v_in, v_rec, v_cells, v_gates, v_out, v_out_in, v_bout,
                             G_in, G_rec, G_c, G_g, G_out, G_oi, G_bo)
        losses[k] = loss
        if not forward_only and not every_step:
            _step_update(k, lr, momentum, R, bias_cells, bias_gates, out_sees_in, bias_out,
                         w_in, w_rec, b_cells, b_gates, w_out, w_out_in, b_out,
                         v_in, v_rec, v_cells, v_gates, v_out, v_out_in, v_bout,
                         G_in, G_rec, G_c, G_g, G_out, G_oi, G_bo)


@njit(cache=True)
def _step_update(k, lr, momentum, R, bias_cells, bias_gates, out_sees_in, bias_out,
                 w_in, w_rec, b_cells, b_gates, w_out, w_out_in, b_out,
                 v_in, v_rec, v_cells, v_gates, v_out, v_out_in, v_bout,
                 G_in, G_rec, G_c, G_g, G_out, G_oi, G_bo):
    """Δw = -lr ∂E/∂w + momentum Δw for trial k, from the gradients gathered so far (then zeroed)."""
    _apply_col(w_in, v_in, G_in, lr[k], momentum, k)
    if R > 0:
        _apply_col(w_rec, v_rec, G_rec, lr[k], momentum, k)
    if bias_cells:
        _apply_col(b_cells, v_cells, G_c, lr[k], momentum, k)
    if bias_gates:
        _apply_col(b_gates, v_gates, G_g, lr[k], momentum, k)
    _apply_col(w_out, v_out, G_out, lr[k], momentum, k)
    if out_sees_in:
        _apply_col(w_out_in, v_out_in, G_oi, lr[k], momentum, k)
    if bias_out:
        _apply_col(b_out, v_bout, G_bo, lr[k], momentum, k)


@njit(cache=True)
def _sparse_step_update(k, rate, R, bias_cells, bias_gates, out_sees_in, bias_out, seen, src,
                        w_in, w_rec, b_cells, b_gates, w_out, w_out_in, b_out,
                        G_in, G_rec, G_c, G_g, G_out, G_oi, G_bo):
    """`_step_update` without momentum, visiting only rows that can hold a gradient: input
    rows of inputs seen so far (the cells' stored derivatives), output-shortcut rows of this
    step's inputs. Same result: the rows skipped have zero gradient and no momentum."""
    U = w_in.shape[2]
    for i in range(w_in.shape[1]):
        if seen[i]:
            for u in range(U):
                w_in[k, i, u] -= rate * G_in[i * U + u, 0]
                G_in[i * U + u, 0] = 0.0
    if R > 0:
        _descend_col(w_rec, G_rec, rate, k)
    if bias_cells:
        _descend_col(b_cells, G_c, rate, k)
    if bias_gates:
        _descend_col(b_gates, G_g, rate, k)
    _descend_col(w_out, G_out, rate, k)
    if out_sees_in:
        O = w_out_in.shape[2]
        for i in range(w_out_in.shape[1]):
            if src[i] != 0.0:
                for o in range(O):
                    w_out_in[k, i, o] -= rate * G_oi[i * O + o, 0]
                    G_oi[i * O + o, 0] = 0.0
    if bias_out:
        _descend_col(b_out, G_bo, rate, k)


@njit(cache=True)
def _apply_col(w, v, g, rate, momentum, k):
    """Trial k: v = momentum v - rate g; w += v (torch storage [K, ...]; g is [n, 1]); g zeroed."""
    flat_w = w.reshape(w.shape[0], -1)
    flat_v = v.reshape(v.shape[0], -1)
    for i in range(flat_w.shape[1]):
        flat_v[k, i] = momentum * flat_v[k, i] - rate * g[i, 0]
        flat_w[k, i] += flat_v[k, i]
        g[i, 0] = 0.0


@njit(cache=True)
def _descend_col(w, g, rate, k):
    """Trial k without momentum: w -= rate g; g zeroed."""
    flat_w = w.reshape(w.shape[0], -1)
    for i in range(flat_w.shape[1]):
        flat_w[k, i] -= rate * g[i, 0]
        g[i, 0] = 0.0


@njit(cache=True)
def lstm1997_rtrl_block(xb, symb, db, maskb, lengthsb, flags, lr, momentum,
                        w_in, w_rec, b_cells, b_gates, p_in, p_phi, p_out, w_out, w_out_in, b_out,
                        v_in, v_rec, v_cells, v_gates, vp_in, vp_phi, vp_out, v_out, v_out_in, v_bout,
                        outputs, losses):
    for j in range(xb.shape[0]):
        lstm1997_rtrl_step(xb[j], symb[j], db[j], maskb[j], lengthsb[j], flags, lr, momentum,
                           w_in, w_rec, b_cells, b_gates, p_in, p_phi, p_out, w_out, w_out_in, b_out,
                           v_in, v_rec, v_cells, v_gates, vp_in, vp_phi, vp_out, v_out, v_out_in, v_bout,
                           outputs[j], losses[j])


def supports(model) -> bool:
    """The 1997 cell only: an input gate (and an output gate or none), no forget gate, no
    peepholes, the truncated gradient."""
    from .fused_lstm import supports as lstm_supported

    if not lstm_supported(model):
        return False
    spec = model.spec
    return not spec.forget_gate and not spec.peepholes and spec.truncated_gradient


class RealTimeLSTMStep(FusedLSTMStep):
    """FusedLSTMStep's calls, trained forward in time; `every_step` applies each time
    step's update at once (real-time), otherwise once per sequence."""

    kernel_block = staticmethod(lstm1997_rtrl_block)

    def __init__(self, model, every_step: bool = True):
        if not supports(model):
            raise ValueError("real-time training implements the 1997 cell only (an input gate, no forget "
                             "gate, no peepholes, truncated gradient)")
        super().__init__(model)
        self.flags = kernel_flags(RTRL_FLAGS, **self.names, forward_only=0, every_step=every_step)
        self.forward_flags = kernel_flags(RTRL_FLAGS, **self.names, forward_only=1, every_step=every_step)
