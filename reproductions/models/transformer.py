"""A small causal Transformer as an ensemble of independent networks.

The layer is the one `torch.nn.TransformerEncoderLayer` computes (post-norm,
ReLU feed-forward, no dropout), with a causal mask: the output at step t sees
the inputs at steps 1..t only, like a recurrent network reading left to right.
It is written out here so that every weight carries the ensemble's trial axis
(each trial its own seeded network, trained side by side); a test checks it
against torch's own layer, which stays the definition.

Per layer, with h the [T, d] activations and M the causal mask (0 on and below
the diagonal, -inf above):

    A = softmax((h W_q)(h W_k)^T / sqrt(d_head) + M) (h W_v)     per head
    h = LayerNorm(h + concat_heads(A) W_o)
    h = LayerNorm(h + ReLU(h W_1) W_2)

(every product has a bias). Inputs are embedded by a linear map, plus a position
code: "sinusoidal" (fixed), "learned" (one trained vector per position, up to
`max_positions`: positions never seen in training keep their random start) or
"none", where the only information about position is what causal attention itself
provides (how many steps a uniform average runs over; Bhattamishra et al.'s
"positional masking" alone). Outputs are squashed like the recurrent models' outputs.

How Bhattamishra, Ahuja & Goyal (2020) used such models: trained on short
strings of counter and regular languages, tested on longer ones, with 1 to 4
layers and each of these position codes; their code's defaults are a d_model of
32, a feed-forward width of 64 and one head (shared/papers.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .ensemble import MODELS, EnsembleNet, NetSpec, squash

POSITIONS = ("none", "sinusoidal", "learned")


@dataclass(frozen=True)
class TransformerSpec(NetSpec):
    d_model: int = 16
    heads: int = 1
    d_ffn: int = 32
    layers: int = 1
    #: "none" (causal masking alone), "sinusoidal" (Vaswani et al. 2017's fixed code) or "learned"
    positions: str = "none"
    #: "learned" positions: how many (the longest input the network may read)
    max_positions: int = 256
    output_squash: str = "logistic"
    #: epsilon of the layer norms (torch's default)
    layer_norm_eps: float = 1e-5


def sinusoidal_positions(length: int, d_model: int, dtype) -> torch.Tensor:
    """[T, d]: sin(t / 10000^(2i/d)) in even columns, cos in odd ones."""
    position = torch.arange(length, dtype=dtype)[:, None]
    frequency = torch.exp(torch.arange(0, d_model, 2, dtype=dtype) * (-math.log(10000.0) / d_model))
    code = torch.zeros(length, d_model, dtype=dtype)
    code[:, 0::2] = torch.sin(position * frequency)
    code[:, 1::2] = torch.cos(position * frequency[: d_model // 2])
    return code


def trial_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """x W + b for every trial at once: x [K, ..., i], weight [K, i, o], bias [K, o].

    The rows of all sequences of a trial form one matrix, so the ensemble costs one batched
    matrix product (K matrices) per layer. Broadcasting `weight[:, None]` against [K, B, T, i]
    instead multiplies K * B small matrices and copies the weights B times (twice as slow,
    `make bench`)."""
    K, inner = x.shape[0], x.shape[-1]
    rows = torch.baddbmm(bias[:, None, :], x.reshape(K, -1, inner), weight)
    return rows.view(*x.shape[:-1], weight.shape[-1])


def causal_mask(length: int, dtype) -> torch.Tensor:
    """[T, T]: 0 where step t may see step u (u <= t), -inf where it may not."""
    return torch.full((length, length), float("-inf"), dtype=dtype).triu(1)


@MODELS.register("transformer")
class Transformer(EnsembleNet):
    """Embedding -> `layers` causal encoder layers -> one output unit per symbol."""

    spec_class = TransformerSpec

    spec: TransformerSpec

    def __init__(self, spec: TransformerSpec, trials: int, dtype=torch.float64):
        super().__init__(spec, trials, dtype)
        if spec.positions not in POSITIONS:
            raise ValueError(f"positions must be one of {POSITIONS}, not {spec.positions!r}")
        if spec.d_model % spec.heads:
            raise ValueError(f"d_model {spec.d_model} is not a multiple of heads {spec.heads}")
        d = spec.d_model
        self.add_weight("w_embed", spec.input_size, d)
        self.add_weight("b_embed", d)
        if spec.positions == "learned":
            self.add_weight("position_embed", spec.max_positions, d)
        for layer in range(spec.layers):
            for name, shape in (("w_qkv", (d, 3 * d)), ("b_qkv", (3 * d,)), ("w_o", (d, d)), ("b_o", (d,)),
                                ("norm1_gain", (d,)), ("norm1_bias", (d,)),
                                ("w_1", (d, spec.d_ffn)), ("b_1", (spec.d_ffn,)),
                                ("w_2", (spec.d_ffn, d)), ("b_2", (d,)),
                                ("norm2_gain", (d,)), ("norm2_bias", (d,))):
                self.add_weight(f"l{layer}_{name}", *shape)
        self.add_weight("w_out", d, spec.output_size)
        self.add_weight("b_out", spec.output_size)

    def set_fixed_initial_values(self, k: int) -> None:
        # layer norms start as the identity map (gain 1, bias 0), as in torch
        for layer in range(self.spec.layers):
            for norm in ("norm1", "norm2"):
                getattr(self, f"l{layer}_{norm}_gain")[k] = 1.0
                getattr(self, f"l{layer}_{norm}_bias")[k] = 0.0

    def weights_of(self, layer: int) -> dict[str, torch.Tensor]:
        return {name: getattr(self, f"l{layer}_{name}") for name in
                ("w_qkv", "b_qkv", "w_o", "b_o", "norm1_gain", "norm1_bias", "w_1", "b_1", "w_2", "b_2",
                 "norm2_gain", "norm2_bias")}

    def _norm(self, x, gain, bias):
        # x [K, B, T, d]; gain, bias [K, d]
        x = F.layer_norm(x, x.shape[-1:], eps=self.spec.layer_norm_eps)
        return x * gain[:, None, None] + bias[:, None, None]

    def run(self, inputs: torch.Tensor, record: bool = False):
        spec = self.spec
        K, B, T, _ = inputs.shape
        H, d = spec.heads, spec.d_model
        d_head = d // H
        h = trial_linear(inputs, self.w_embed, self.b_embed)
        if spec.positions == "sinusoidal":
            h = h + sinusoidal_positions(T, d, h.dtype)
        elif spec.positions == "learned":
            if T > spec.max_positions:
                raise ValueError(f"input of {T} steps is longer than max_positions {spec.max_positions}")
            h = h + self.position_embed[:, None, :T]
        mask = causal_mask(T, h.dtype)
        records = {"embedding": h.detach()} if record else None
        for layer in range(spec.layers):
            w = self.weights_of(layer)
            qkv = trial_linear(h, w["w_qkv"], w["b_qkv"])  # [K, B, T, 3d]
            q, k, v = (part.reshape(K, B, T, H, d_head).transpose(2, 3) for part in qkv.split(d, dim=-1))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d_head) + mask  # [K, B, H, T, T]
            attention = torch.softmax(scores, dim=-1)
            mixed = torch.matmul(attention, v).transpose(2, 3).reshape(K, B, T, d)
            attended = trial_linear(mixed, w["w_o"], w["b_o"])
            h = self._norm(h + attended, w["norm1_gain"], w["norm1_bias"])
            hidden = torch.relu(trial_linear(h, w["w_1"], w["b_1"]))
            h = self._norm(h + trial_linear(hidden, w["w_2"], w["b_2"]),
                           w["norm2_gain"], w["norm2_bias"])
            if record:
                records[f"attention{layer}"] = attention.detach()
                records[f"attended{layer}"] = attended.detach()  # the self-attention block's output
                records[f"h{layer}"] = h.detach()
        outputs = squash(spec.output_squash, trial_linear(h, self.w_out, self.b_out))
        return outputs, records

    def torch_layer(self, k: int, layer: int = 0) -> torch.nn.TransformerEncoderLayer:
        """Trial k's layer as torch's own module (for tests and inspection)."""
        spec = self.spec
        module = torch.nn.TransformerEncoderLayer(spec.d_model, spec.heads, spec.d_ffn, dropout=0.0,
                                                  activation="relu", layer_norm_eps=spec.layer_norm_eps,
                                                  batch_first=True, norm_first=False, dtype=self.dtype)
        w = {name: value.detach()[k] for name, value in self.weights_of(layer).items()}
        with torch.no_grad():
            # torch stores weights as [out, in]; ours are [in, out]
            module.self_attn.in_proj_weight.copy_(w["w_qkv"].T)
            module.self_attn.in_proj_bias.copy_(w["b_qkv"])
            module.self_attn.out_proj.weight.copy_(w["w_o"].T)
            module.self_attn.out_proj.bias.copy_(w["b_o"])
            module.linear1.weight.copy_(w["w_1"].T)
            module.linear1.bias.copy_(w["b_1"])
            module.linear2.weight.copy_(w["w_2"].T)
            module.linear2.bias.copy_(w["b_2"])
            module.norm1.weight.copy_(w["norm1_gain"])
            module.norm1.bias.copy_(w["norm1_bias"])
            module.norm2.weight.copy_(w["norm2_gain"])
            module.norm2.bias.copy_(w["norm2_bias"])
        return module
