"""Which compiled kernel trains a model. Each kernel module registers its step class in
`COMPILED_STEPS` where it is defined; a step class says which models it implements
(`supports(model)`). The package imports every kernel (training/__init__.py), so the
registry is full before anything trains."""

from __future__ import annotations

from ..registry import Registry

#: kernel name -> step class (the class's `supports(model)` says whether it implements a model)
COMPILED_STEPS = Registry("compiled kernel")


def fused_step_for(model):
    """The compiled training step for this model (LSTM family or SRN, float64), or None
    where only the torch module can train it (e.g. GRU, Transformer, float32)."""
    for step in COMPILED_STEPS.values():
        if step.supports(model):
            return step(model)
    return None
