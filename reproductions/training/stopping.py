"""Stopping rules: when a trial counts as solved.

All active trials of an ensemble advance in lockstep (one sequence each per
step), so a rule sees the same sequence count for all of them. A rule keeps
per-trial state in tensors with a trial axis and drops rows when trials leave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..tasks import Task, collate


def stack_for_trials(batch, trials: int, dtype) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The same batch for every trial: [K, B, T, ...] views."""
    def expand(array):
        tensor = torch.as_tensor(array, dtype=dtype)
        return tensor.unsqueeze(0).expand(trials, *tensor.shape)

    return expand(batch.inputs), expand(batch.targets), expand(batch.error_mask)


@dataclass
class TrainingSetAccepted:
    """Solved when every string of the task's training set is accepted.

    Tested every `every` sequences, and the trial stops at the first test it
    passes (the Gers & Schmidhuber 2001 criterion "learned the training set";
    the test interval is not verified from the paper).
    """

    every: int = 1000

    def observe(self, correct: np.ndarray, losses: np.ndarray) -> None:
        """Per-sequence outcomes of the active trials; unused by this rule."""

    def drop(self, keep: np.ndarray) -> None:
        """Trials at positions not in `keep` have left the ensemble."""

    def solved(self, model, task: Task, sequences_seen: int) -> np.ndarray | None:
        """Solved flags of the active trials, or None if no test is due."""
        if sequences_seen % self.every:
            return None
        inputs, targets, mask = stack_for_trials(collate(task.training_set()), model.trials, model.dtype)
        with torch.no_grad():
            outputs = model(inputs)
        return task.correct(outputs, targets, mask).all(-1).numpy()

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


STOPPING_RULES = {"training_set_accepted": TrainingSetAccepted}


def build_stopping_rule(name: str, params: dict):
    if name not in STOPPING_RULES:
        raise KeyError(f"unknown stopping rule {name!r}; registered: {sorted(STOPPING_RULES)}")
    return STOPPING_RULES[name](**params)
