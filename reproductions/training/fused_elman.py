"""Real-time training of Elman's simple recurrent network, compiled with numba.

Elman (1990, "Finding structure in time") trains on-line with a weight change after
every time step: the context units hold a copy of the previous hidden state and are
treated as one more input, so the error of step t is propagated back through step t
only (no back-propagation through time). With `continuous` the context is not reset
between sequences: the stream of sequences is one continuous input, as in Elman's
experiments, and each trial's context is carried from one sequence (and block) to the
next in the run's state. Evaluations and stopping tests still start every test sequence
from a zero context (the forward pass of `fused_srn`).

`reproductions.models.baselines.SRN` stays the definition of the forward pass: the
outputs of a fresh sequence equal the module's (tests/test_training_modes.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .fused_lstm import SQUASH_CODES, _slope, _squash, kernel_flags
from .fused_srn import FusedSRNStep
from .fused_srn import supports as srn_supported

#: the kernel's flags, in the order it unpacks them
ELMAN_FLAGS = ("hidden_squash", "output_squash", "forward_only", "continuous")


@njit(cache=True)
def _momentum_step(w, v, k, i, j, gradient, rate, momentum):
    # Δw(t) = -α ∂E(t)/∂w + m Δw(t-1), after every time step
    v[k, i, j] = momentum * v[k, i, j] - rate * gradient
    w[k, i, j] += v[k, i, j]


@njit(cache=True)
def elman_train_step(x, sym, d, mask, lengths, flags, lr, momentum,
                     w_in, w_rec, b_hidden, w_out, b_out,
                     v_in, v_rec, v_hidden, v_out, v_bout,
                     context, outputs, losses):
    """One sequence per trial k, forward in time, an update after each step with error.
    Weights as the module stores them: w_in [K, I, H], w_rec [K, H, H], b_hidden [K, H],
    w_out [K, H, O], b_out [K, O]. context [H, K]: the hidden state before the sequence
    (zeros unless continuous; then updated in place to the state it ends in). Inputs dense
    (x [K, T, I]) or one-hot (sym [K, T], x [K, T, 0])."""
    sq_h, sq_out, forward_only, continuous = flags[0], flags[1], flags[2], flags[3]
    K = x.shape[0]
    sparse = x.shape[2] == 0
    I, H, O = w_in.shape[1], b_hidden.shape[1], b_out.shape[1]
    hidden = np.zeros(H)
    before = np.zeros(H)
    y = np.zeros(O)
    dnet_o = np.zeros(O)
    dnet_h = np.zeros(H)
    for k in range(K):
        for h in range(H):
            before[h] = context[h, k] if continuous else 0.0
        loss = 0.0
        for t in range(lengths[k]):
            # h(t) = f(W x(t) + U c(t) + b), the context c(t) = h(t-1)
            for h in range(H):
                net = b_hidden[k, h]
                if sparse:
                    if sym[k, t] >= 0:
                        net += w_in[k, sym[k, t], h]
                else:
                    for i in range(I):
                        net += x[k, t, i] * w_in[k, i, h]
                for r in range(H):
                    net += before[r] * w_rec[k, r, h]
                hidden[h] = _squash(sq_h, net)
            # y(t) = g(V h(t) + c)
            for o in range(O):
                net = b_out[k, o]
                for h in range(H):
                    net += hidden[h] * w_out[k, h, o]
                y[o] = _squash(sq_out, net)
                outputs[k, t, o] = y[o]
            m = mask[k, t]
            if not forward_only and m != 0.0:
                # E(t) = 1/2 m sum_o (y_o - d_o)^2; its gradient stops at the context (Elman)
                for o in range(O):
                    diff = y[o] - d[k, t, o]
                    loss += 0.5 * m * diff * diff
                    dnet_o[o] = m * diff * _slope(sq_out, y[o])
                for h in range(H):
                    back = 0.0
                    for o in range(O):
                        back += w_out[k, h, o] * dnet_o[o]
                    dnet_h[h] = back * _slope(sq_h, hidden[h])
                _update_step(k, x, sym, t, sparse, before, hidden, dnet_h, dnet_o, lr[k], momentum,
                             w_in, w_rec, b_hidden, w_out, b_out, v_in, v_rec, v_hidden, v_out, v_bout)
            for h in range(H):
                before[h] = hidden[h]
        losses[k] = loss
        if continuous:
            for h in range(H):
                context[h, k] = before[h]


@njit(cache=True)
def _update_step(k, x, sym, t, sparse, before, hidden, dnet_h, dnet_o, rate, momentum,
                 w_in, w_rec, b_hidden, w_out, b_out, v_in, v_rec, v_hidden, v_out, v_bout):
    """Trial k's weight change after step t, from that step's error alone."""
    I, H, O = w_in.shape[1], b_hidden.shape[1], b_out.shape[1]
    for h in range(H):
        for o in range(O):
            _momentum_step(w_out, v_out, k, h, o, hidden[h] * dnet_o[o], rate, momentum)
    for o in range(O):
        v_bout[k, o] = momentum * v_bout[k, o] - rate * dnet_o[o]
        b_out[k, o] += v_bout[k, o]
    for i in range(I):
        value = (1.0 if sym[k, t] == i else 0.0) if sparse else x[k, t, i]
        for h in range(H):
            _momentum_step(w_in, v_in, k, i, h, value * dnet_h[h], rate, momentum)
    for r in range(H):
        for h in range(H):
            _momentum_step(w_rec, v_rec, k, r, h, before[r] * dnet_h[h], rate, momentum)
    for h in range(H):
        v_hidden[k, h] = momentum * v_hidden[k, h] - rate * dnet_h[h]
        b_hidden[k, h] += v_hidden[k, h]


@njit(cache=True)
def elman_train_block(xb, symb, db, maskb, lengthsb, flags, lr, momentum,
                      w_in, w_rec, b_hidden, w_out, b_out,
                      v_in, v_rec, v_hidden, v_out, v_bout,
                      context, outputs, losses):
    """`elman_train_step` for sequences j = 0, 1, ... of a block in turn."""
    for j in range(xb.shape[0]):
        elman_train_step(xb[j], symb[j], db[j], maskb[j], lengthsb[j], flags, lr, momentum,
                         w_in, w_rec, b_hidden, w_out, b_out, v_in, v_rec, v_hidden, v_out, v_bout,
                         context, outputs[j], losses[j])


def supports(model) -> bool:
    """The SRN in float64."""
    return srn_supported(model)


class ElmanStep(FusedSRNStep):
    """FusedSRNStep's calls, trained forward in time with Elman's one-step gradient; with
    `continuous`, the context is carried across sequences (`carry` of the run's state)."""

    def __init__(self, model, continuous: bool = False):
        spec = model.spec
        names = dict(hidden_squash=SQUASH_CODES[spec.hidden_squash], output_squash=SQUASH_CODES[spec.output_squash],
                     continuous=int(continuous))
        self.flags = kernel_flags(ELMAN_FLAGS, **names, forward_only=0)
        self.forward_flags = kernel_flags(ELMAN_FLAGS, **names, forward_only=1)
        self.continuous = continuous
        self.hidden_size = spec.hidden_size

    def initial_carry(self, trials: int) -> dict | None:
        """The context every trial starts from (continuous streams), trials last."""
        return {"context": np.zeros((self.hidden_size, trials))} if self.continuous else None

    def block(self, model, velocity: dict, xb, db, maskb, lengthsb, lr, momentum, symb=None, carry=None):
        """As FusedLSTMStep.block; `carry` holds the context of a continuous stream."""
        J, K, T, _ = xb.shape
        if symb is None:
            symb = np.empty((J, K, 0), dtype=np.int64)
        context = carry["context"] if carry is not None else np.zeros((self.hidden_size, K))
        outputs = np.zeros((J, K, T, db.shape[3]))
        losses = np.zeros((J, K))
        elman_train_block(xb, symb, db, maskb, lengthsb, self.flags, lr, momentum,
                          *self._storage(model, velocity), context, outputs, losses)
        return outputs, losses
