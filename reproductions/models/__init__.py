"""Models behind a registry: a name in an experiment file -> (spec, module)."""

from __future__ import annotations

from .baselines import GRU, SRN, GRUSpec, SRNSpec
from .ensemble import EnsembleNet, NetSpec
from .lstm import LSTM, LSTMSpec
from .transformer import Transformer, TransformerSpec

MODELS: dict[str, tuple[type[NetSpec], type[EnsembleNet]]] = {
    "lstm": (LSTMSpec, LSTM),
    "srn": (SRNSpec, SRN),
    "gru": (GRUSpec, GRU),
    "transformer": (TransformerSpec, Transformer),
}


def build_model(name: str, params: dict, input_size: int, output_size: int, trials: int, **kwargs) -> EnsembleNet:
    """Build an ensemble of `trials` networks of the registered model `name`."""
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}; registered: {sorted(MODELS)}")
    spec_class, module_class = MODELS[name]
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    spec = spec_class(input_size=input_size, output_size=output_size, **params)
    return module_class(spec, trials, **kwargs)


__all__ = ["MODELS", "build_model", "EnsembleNet", "LSTM", "LSTMSpec", "SRN", "SRNSpec", "GRU", "GRUSpec",
           "Transformer", "TransformerSpec"]
