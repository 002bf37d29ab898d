"""Tasks behind one interface (`Task`) and a registry by name."""

from __future__ import annotations

from .base import Batch, Sequence, Task, collate
from .bhattamishra2020 import LengthBinTask
from .formal_languages import FormalLanguageTask
from .hochreiter1997 import (EmbeddedReberTask, MarkedPairsTask, NoiseFreeLongLagTask, TemporalOrderTask,
                             TwoSequenceTask, VeryLongLagTask)

TASKS: dict[str, type[Task]] = {
    "formal_language": FormalLanguageTask,
    # Hochreiter & Schmidhuber 1997
    "embedded_reber": EmbeddedReberTask,
    "noise_free_long_lag": NoiseFreeLongLagTask,
    "very_long_lag": VeryLongLagTask,
    "two_sequence": TwoSequenceTask,
    "marked_pairs": MarkedPairsTask,
    "temporal_order": TemporalOrderTask,
    # Bhattamishra, Ahuja & Goyal 2020
    "length_bins": LengthBinTask,
}


def build_task(name: str, params: dict) -> Task:
    if name not in TASKS:
        raise KeyError(f"unknown task {name!r}; registered: {sorted(TASKS)}")
    return TASKS[name](**params)


__all__ = ["TASKS", "build_task", "Task", "Sequence", "Batch", "collate", "FormalLanguageTask"]
