"""The LSTM family in one module with switches.

* 1997 cell (Hochreiter & Schmidhuber): input and output gates around a
  constant error carousel, g in [-2, 2], h in [-1, 1], optional truncated
  gradient.
* forget gate (Gers, Schmidhuber & Cummins 2000): the carousel's self-weight
  1.0 becomes the forget gate's activation.
* peepholes (first published by Gers & Schmidhuber, "Recurrent nets that time
  and count", IJCNN 2000; worked out in Gers, Schraudolph & Schmidhuber 2002, JMLR):
  input and forget gates see s(t-1), the output gate sees s(t).

Memory blocks of S cells share one set of gates. Notation follows the 1997
paper: net inputs `net`, gate activations `y_in`, `y_phi`, `y_out`, cell state
`s`, cell output `y_c`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from .ensemble import MODELS, EnsembleNet, NetSpec, squash


@dataclass(frozen=True)
class LSTMSpec(NetSpec):
    blocks: int = 1
    cells_per_block: int = 1
    output_gate: bool = True
    forget_gate: bool = False
    peepholes: bool = False
    #: 1997 truncated gradient: error reaching a net input of a cell or gate is
    #: not sent back through the recurrent connections; it flows back in time
    #: only through the cell state s.
    truncated_gradient: bool = True
    #: what the hidden units see of the previous step: "cells" (cell outputs),
    #: "cells_and_gates" (cell outputs and gate activations, 1997's fully
    #: connected hidden layer) or "none" (1997 Exp. 2a)
    recurrent: str = "cells_and_gates"
    cell_input_squash: str = "logistic_pm2"  # g
    cell_output_squash: str = "logistic_pm1"  # h
    output_squash: str = "logistic"
    #: output units also see the input layer (1997 Table 10 connectivity "B")
    output_sees_input: bool = False
    bias_cells: bool = False
    bias_gates: bool = True
    bias_outputs: bool = False
    #: fixed initial gate biases, one per block; empty = random like all weights
    input_gate_bias: tuple[float, ...] = field(default_factory=tuple)
    output_gate_bias: tuple[float, ...] = field(default_factory=tuple)
    forget_gate_bias: tuple[float, ...] = field(default_factory=tuple)
    #: range of the gate biases that start at random (those not fixed above): uniform in
    #: [-r, r]; None: init_range, like every other weight. The same draws are scaled, so
    #: the other weights start where they would without it (1997 Table 10's "r")
    random_gate_bias_range: float | None = None

    @property
    def cells(self) -> int:
        return self.blocks * self.cells_per_block

    @property
    def gates(self) -> list[str]:
        return ["in", *(["phi"] if self.forget_gate else []), *(["out"] if self.output_gate else [])]

    @property
    def hidden_units(self) -> int:
        return self.cells + len(self.gates) * self.blocks

    @property
    def recurrent_size(self) -> int:
        return {"cells": self.cells, "cells_and_gates": self.hidden_units, "none": 0}[self.recurrent]


@MODELS.register("lstm")
class LSTM(EnsembleNet):
    """An ensemble of LSTM networks: input layer -> memory blocks -> outputs."""

    spec_class = LSTMSpec

    spec: LSTMSpec

    def __init__(self, spec: LSTMSpec, trials: int, dtype=torch.float64):
        super().__init__(spec, trials, dtype)
        if spec.random_gate_bias_range is not None and not (spec.random_gate_bias_range > 0 and spec.bias_gates):
            raise ValueError("random_gate_bias_range must be > 0 and needs bias_gates: true")
        if spec.recurrent not in ("cells", "cells_and_gates", "none"):
            raise ValueError(f"recurrent must be cells, cells_and_gates or none, not {spec.recurrent!r}")
        for gate, biases in (("in", spec.input_gate_bias), ("out", spec.output_gate_bias), ("phi", spec.forget_gate_bias)):
            if biases and (gate not in spec.gates or len(biases) != spec.blocks):
                raise ValueError(f"{gate} gate biases: need one per block ({spec.blocks}) and the gate")
        units = spec.hidden_units
        # hidden units in order: cell inputs, then each gate's block units
        self.add_weight("w_in", spec.input_size, units)
        if spec.recurrent != "none":
            self.add_weight("w_rec", spec.recurrent_size, units)
        if spec.bias_cells:
            self.add_weight("b_cells", spec.cells)
        if spec.bias_gates:
            self.add_weight("b_gates", len(spec.gates) * spec.blocks)
        if spec.peepholes:
            for gate in spec.gates:
                self.add_weight(f"w_peep_{gate}", spec.blocks, spec.cells_per_block)
        self.add_weight("w_out", spec.cells, spec.output_size)
        if spec.output_sees_input:
            self.add_weight("w_out_in", spec.input_size, spec.output_size)
        if spec.bias_outputs:
            self.add_weight("b_out", spec.output_size)

    def set_fixed_initial_values(self, k: int) -> None:
        spec = self.spec
        fixed = {"in": spec.input_gate_bias, "phi": spec.forget_gate_bias, "out": spec.output_gate_bias}
        for position, gate in enumerate(spec.gates):
            if spec.random_gate_bias_range is not None and spec.bias_gates and not fixed[gate]:
                block_slice = slice(position * spec.blocks, (position + 1) * spec.blocks)
                self.b_gates[k, block_slice] *= spec.random_gate_bias_range / spec.init_range
            if fixed[gate]:
                if not spec.bias_gates:
                    raise ValueError("fixed gate biases need bias_gates: true")
                block_slice = slice(position * spec.blocks, (position + 1) * spec.blocks)
                self.b_gates[k, block_slice] = torch.tensor(fixed[gate], dtype=self.dtype)

    def run(self, inputs: torch.Tensor, record: bool = False):
        spec = self.spec
        K, B, T, _ = inputs.shape
        S, n_blocks, C = spec.cells_per_block, spec.blocks, spec.cells
        truncated = spec.truncated_gradient
        # gates before the cell update (input, forget) see s(t-1); the output gate sees s(t)
        n_early = 2 if spec.forget_gate else 1
        # net_i(t) = sum_u w_iu y^u(t-1) + bias: the input part for all steps at once
        net_from_input = torch.matmul(inputs, self.w_in[:, None])  # [K, B, T, U]
        if spec.bias_cells or spec.bias_gates:
            cell_bias = self.b_cells if spec.bias_cells else inputs.new_zeros(K, C)
            gate_bias = self.b_gates if spec.bias_gates else inputs.new_zeros(K, len(spec.gates) * n_blocks)
            net_from_input = net_from_input + torch.cat([cell_bias, gate_bias], dim=1)[:, None, None, :]
        if spec.peepholes:
            early_peep = torch.stack([getattr(self, f"w_peep_{g}") for g in spec.gates[:n_early]], 1)[:, None]
            out_peep = self.w_peep_out[:, None] if spec.output_gate else None  # [K, 1, blocks, S]

        s = inputs.new_zeros(K, B, n_blocks, S)  # s_c(0) = 0: activations reset per sequence
        recurrent = inputs.new_zeros(K, B, spec.recurrent_size)
        cell_outputs, records = [], {"s": [], "y_in": [], "y_phi": [], "y_out": [], "y_c": []}
        for t in range(T):
            if spec.recurrent != "none":
                # truncated gradient: the recurrent activations enter as constants
                previous = recurrent.detach() if truncated else recurrent
                net = torch.baddbmm(net_from_input[:, :, t], previous, self.w_rec)
            else:
                net = net_from_input[:, :, t]
            net_c = net[..., :C].view(K, B, n_blocks, S)
            net_early = net[..., C : C + n_early * n_blocks].view(K, B, n_early, n_blocks)
            if spec.peepholes:
                # peephole input: sum over the block's cells of w * s(t-1), a constant under truncation
                s_seen = s.detach() if truncated else s
                net_early = net_early + (s_seen[:, :, None] * early_peep).sum(-1)
            # y^in(t) = f(net_in(t)), y^phi(t) = f(net_phi(t))
            early = torch.sigmoid(net_early)
            y_in = early[:, :, 0, :, None]
            # s(t) = y^phi(t) s(t-1) + y^in(t) g(net_c(t)); without a forget gate y^phi = 1 (the CEC)
            gated_input = y_in * squash(spec.cell_input_squash, net_c)
            if spec.forget_gate:
                y_phi = early[:, :, 1, :, None]
                s = torch.addcmul(gated_input, y_phi, s)
            else:
                y_phi = None
                s = s + gated_input
            # y^c(t) = y^out(t) h(s(t)); the output gate's peephole sees s(t)
            h = squash(spec.cell_output_squash, s)
            if spec.output_gate:
                net_out = net[..., C + n_early * n_blocks :]
                if spec.peepholes:
                    net_out = net_out + ((s.detach() if truncated else s) * out_peep).sum(-1)
                y_out = torch.sigmoid(net_out)[..., None]
                y_c = (y_out * h).view(K, B, C)
            else:
                y_out = None
                y_c = h.view(K, B, C)
            cell_outputs.append(y_c)
            if spec.recurrent == "cells":
                recurrent = y_c
            elif spec.recurrent == "cells_and_gates":
                gate_acts = [early.view(K, B, n_early * n_blocks)] + ([y_out.view(K, B, n_blocks)] if y_out is not None else [])
                recurrent = torch.cat([y_c, *gate_acts], dim=-1)
            if record:
                for key, value in (("s", s), ("y_in", y_in), ("y_phi", y_phi), ("y_out", y_out), ("y_c", y_c)):
                    if value is not None:
                        records[key].append(value.detach().reshape(K, B, -1))
        cells = torch.stack(cell_outputs, dim=2)  # [K, B, T, C]
        # output units see the cells of the same step (the 1997 three-stage step)
        net_k = torch.matmul(cells, self.w_out[:, None])
        if spec.output_sees_input:
            net_k = net_k + torch.matmul(inputs, self.w_out_in[:, None])
        if spec.bias_outputs:
            net_k = net_k + self.b_out[:, None, None, :]
        outputs = squash(spec.output_squash, net_k)
        if not record:
            return outputs, None
        return outputs, {key: torch.stack(v, dim=2) for key, v in records.items() if v}
