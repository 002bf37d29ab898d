"""Baselines the reviewed papers compare against, as ensembles.

Both are trained with the full gradient (back-propagation through time).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .ensemble import MODELS, EnsembleNet, NetSpec, squash


@dataclass(frozen=True)
class SRNSpec(NetSpec):
    hidden_size: int = 4
    #: squashing of the hidden layer: logistic (Elman 1990), tanh, relu (Weiss et al. 2018)
    hidden_squash: str = "logistic"
    output_squash: str = "logistic"


@MODELS.register("srn")
class SRN(EnsembleNet):
    """Elman's simple recurrent network: h(t) = f(W x(t) + U h(t-1) + b)."""

    spec_class = SRNSpec

    spec: SRNSpec

    def __init__(self, spec: SRNSpec, trials: int, dtype=torch.float64):
        super().__init__(spec, trials, dtype)
        self.add_weight("w_in", spec.input_size, spec.hidden_size)
        self.add_weight("w_rec", spec.hidden_size, spec.hidden_size)
        self.add_weight("b_hidden", spec.hidden_size)
        self.add_weight("w_out", spec.hidden_size, spec.output_size)
        self.add_weight("b_out", spec.output_size)

    def run(self, inputs: torch.Tensor, record: bool = False):
        K, B, T, _ = inputs.shape
        from_input = torch.matmul(inputs, self.w_in[:, None]) + self.b_hidden[:, None, None]
        hidden = inputs.new_zeros(K, B, self.spec.hidden_size)
        states = []
        for t in range(T):
            # h(t) = f(W x(t) + U h(t-1) + b)
            hidden = squash(self.spec.hidden_squash, from_input[:, :, t] + torch.bmm(hidden, self.w_rec))
            states.append(hidden)
        hidden_all = torch.stack(states, dim=2)
        outputs = squash(self.spec.output_squash, torch.matmul(hidden_all, self.w_out[:, None]) + self.b_out[:, None, None])
        return outputs, ({"h": hidden_all.detach()} if record else None)


@dataclass(frozen=True)
class GRUSpec(NetSpec):
    hidden_size: int = 4
    output_squash: str = "logistic"


@MODELS.register("gru")
class GRU(EnsembleNet):
    """Gated recurrent unit (Cho et al. 2014), in torch.nn.GRU's formulation."""

    spec_class = GRUSpec

    spec: GRUSpec

    def __init__(self, spec: GRUSpec, trials: int, dtype=torch.float64):
        super().__init__(spec, trials, dtype)
        H = spec.hidden_size
        # reset, update and candidate parts side by side: [r | z | n]
        self.add_weight("w_in", spec.input_size, 3 * H)
        self.add_weight("b_in", 3 * H)
        self.add_weight("w_rec", H, 3 * H)
        self.add_weight("b_rec", 3 * H)
        self.add_weight("w_out", H, spec.output_size)
        self.add_weight("b_out", spec.output_size)

    def run(self, inputs: torch.Tensor, record: bool = False):
        K, B, T, _ = inputs.shape
        H = self.spec.hidden_size
        from_input = torch.matmul(inputs, self.w_in[:, None]) + self.b_in[:, None, None]
        hidden = inputs.new_zeros(K, B, H)
        states = []
        for t in range(T):
            x_part = from_input[:, :, t]
            h_part = torch.bmm(hidden, self.w_rec) + self.b_rec[:, None]
            # r = σ(.), z = σ(.), n = tanh(W_n x + r ⊙ (U_n h + b)), h = (1-z) ⊙ n + z ⊙ h
            r = torch.sigmoid(x_part[..., :H] + h_part[..., :H])
            z = torch.sigmoid(x_part[..., H : 2 * H] + h_part[..., H : 2 * H])
            n = torch.tanh(x_part[..., 2 * H :] + r * h_part[..., 2 * H :])
            hidden = (1 - z) * n + z * hidden
            states.append(hidden)
        hidden_all = torch.stack(states, dim=2)
        outputs = squash(self.spec.output_squash, torch.matmul(hidden_all, self.w_out[:, None]) + self.b_out[:, None, None])
        return outputs, ({"h": hidden_all.detach()} if record else None)
