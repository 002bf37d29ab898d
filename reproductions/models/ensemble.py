"""K independent networks held as one batched module.

Every parameter has a leading trial axis of size K; trial k's forward pass and
gradient only ever touch slice k, so summing the K losses and calling
`backward` once gives each trial its own exact gradient. The gain is that K
tiny networks cost one round of tensor operations instead of K.

Inputs are [K, B, T, I]: each trial sees B sequences (B = 1 when training
on-line, the whole test set when evaluating).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..registry import Registry


@dataclass(frozen=True)
class NetSpec:
    """Base of every model's spec: the sizes and the initial weight range."""

    input_size: int
    output_size: int
    #: all weights start uniform in [-init_range, init_range]
    init_range: float = 0.1


#: every model by the name experiments.yaml gives it (`model: {name: ...}`)
MODELS: Registry[type[EnsembleNet]] = Registry("model")


class EnsembleNet(nn.Module):
    """Shared machinery: per-trial seeded initialisation, counting, slicing."""

    spec: NetSpec
    #: the frozen dataclass of its parameters (`model.params` in experiments.yaml)
    spec_class: type[NetSpec] = NetSpec

    def __init__(self, spec: NetSpec, trials: int, dtype=torch.float64):
        super().__init__()
        self.spec = spec
        self.trials = trials
        self.dtype = dtype
        self._shapes: dict[str, tuple[int, ...]] = {}

    def add_weight(self, name: str, *shape: int) -> None:
        """Declare a per-trial weight of the given shape (the K axis is added)."""
        self._shapes[name] = shape
        self.register_parameter(
            name, nn.Parameter(torch.zeros(self.trials, *shape, dtype=self.dtype))
        )

    def reset(self, seeds: list[int]) -> None:
        """Initialise trial k from its own generator, so a trial's start does not
        depend on which other trials share the ensemble."""
        if len(seeds) != self.trials:
            raise ValueError(f"{len(seeds)} seeds for {self.trials} trials")
        with torch.no_grad():
            for k, seed in enumerate(seeds):
                generator = torch.Generator().manual_seed(int(seed))
                for name, shape in self._shapes.items():
                    values = torch.rand(shape, generator=generator, dtype=self.dtype)
                    getattr(self, name)[k] = (2 * values - 1) * self.spec.init_range
                self.set_fixed_initial_values(k)

    def set_fixed_initial_values(self, k: int) -> None:
        """Override random initial values of trial k (e.g. the papers' gate biases)."""

    def weight_count(self) -> int:
        """Trainable weights of one network (what the papers' "# weights" counts)."""
        return sum(p[0].numel() for p in self.parameters())

    def select(self, keep: torch.Tensor) -> None:
        """Keep only the trials at indices `keep` (drop finished ones)."""
        for name in self._shapes:
            old = getattr(self, name)
            setattr(self, name, nn.Parameter(old.detach()[keep].clone()))
        self.trials = len(keep)

    def trial_state(self, k: int) -> dict[str, torch.Tensor]:
        """Trial k's weights, without the trial axis."""
        return {name: getattr(self, name).detach()[k].clone() for name in self._shapes}

    def load_trial_state(self, k: int, state: dict[str, torch.Tensor]) -> None:
        with torch.no_grad():
            for name in self._shapes:
                getattr(self, name)[k] = state[name]

    def describe(self) -> dict:
        return {"class": type(self).__name__, **asdict(self.spec)}

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Outputs [K, B, T, O] for inputs [K, B, T, I]."""
        return self.run(inputs)[0]

    def run(self, inputs: torch.Tensor, record: bool = False):
        """Outputs and, if `record`, a dict of per-step internal activations."""
        raise NotImplementedError


def squash(name: str, x: torch.Tensor) -> torch.Tensor:
    """The squashing functions the papers use, by name."""
    if name == "logistic":
        return torch.sigmoid(x)
    if name == "logistic_pm2":  # 1997 g: 4/(1+e^-x) - 2, range [-2, 2]
        return 4 * torch.sigmoid(x) - 2
    if name == "logistic_pm1":  # 1997 h: 2/(1+e^-x) - 1, range [-1, 1]
        return 2 * torch.sigmoid(x) - 1
    if name == "tanh":
        return torch.tanh(x)
    if name == "relu":
        return torch.relu(x)
    if name == "identity":
        return x
    raise ValueError(f"unknown squashing function {name!r}")


SQUASHES = ("logistic", "logistic_pm2", "logistic_pm1", "tanh", "relu", "identity")
