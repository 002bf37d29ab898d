"""Tasks behind one interface (`Task`) and a registry by name (`TASKS`).

The shared tasks register themselves here; a paper's own tasks live in its folder
(e.g. reproductions/hochreiter1997/tasks.py) and register themselves when the paper's
package is loaded (`reproductions.registry.load_paper_package`).
"""

from __future__ import annotations

from . import metrics
from .base import TASKS, Batch, Sequence, Task, collate
from .formal_languages import FormalLanguageTask
from .length_bins import LengthBinTask


def build_task(name: str, params: dict) -> Task:
    return TASKS[name](**params)


__all__ = ["TASKS", "build_task", "Task", "Sequence", "Batch", "collate", "FormalLanguageTask", "LengthBinTask", "metrics"]
