"""Models behind a registry: a name in an experiment file -> an `EnsembleNet` class,
whose `spec_class` holds its parameters. Each model registers itself where it is defined."""

from __future__ import annotations

from .baselines import GRU, SRN, GRUSpec, SRNSpec
from .ensemble import MODELS, EnsembleNet, NetSpec
from .lstm import LSTM, LSTMSpec
from .transformer import Transformer, TransformerSpec


def build_model(name: str, params: dict, input_size: int, output_size: int, trials: int, **kwargs) -> EnsembleNet:
    """Build an ensemble of `trials` networks of the registered model `name`."""
    module_class = MODELS[name]
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    spec = module_class.spec_class(input_size=input_size, output_size=output_size, **params)
    return module_class(spec, trials, **kwargs)


__all__ = ["MODELS", "build_model", "EnsembleNet", "NetSpec", "LSTM", "LSTMSpec", "SRN", "SRNSpec", "GRU", "GRUSpec",
           "Transformer", "TransformerSpec"]
