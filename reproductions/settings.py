"""Typed settings of an experiment's `train` block, with every default in one place.

`reproductions/config.py` validates each file against its schema first (one line naming
file and key); these models then give the validated blocks types and defaults, so code
reads `settings.batch_size`, never `train.get("batch_size", 1)`. The schema's `train`
keys and these fields are checked to agree (tests/test_settings.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    """Unknown keys are an error; settings do not change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ComponentSettings(Settings):
    """A registered component chosen by name, with its class's parameters."""

    name: str
    params: dict = Field(default_factory=dict)


class GrowSettings(Settings):
    """1997 Exp. 2: the memory cells join once the error stops decreasing
    (reproductions/training/hooks.py: Growth)."""

    window: int
    min_decrease: float


class GuessingSettings(Settings):
    """Random weight guessing (reproductions/training/guessing.py); the paper guesses in [-10, 10]."""

    weight_range: float = 10.0
    screen: int = 16
    guesses_per_round: int = 2048


class TrainSettings(Settings):
    """An experiment's `train` block (schema: reproductions/schemas/experiments.schema.yaml)."""

    dtype: Literal["float64", "float32"]
    learning_rate: float | list[float]
    momentum: float
    max_sequences: int
    stopping: ComponentSettings
    #: the compiled training path where it applies
    fused: bool = True
    #: sgd_momentum: the papers'; adam: a modern extra (reproductions/training/updates.py)
    optimizer: Literal["sgd_momentum", "adam"] = "sgd_momentum"
    #: weight changes after each sequence, or after every time step (real-time learning)
    update: Literal["sequence", "step"] = "sequence"
    #: sequences per update and trial (1: on-line, as in the papers)
    batch_size: int = 1
    #: a continuous stream: the recurrent state is carried from one sequence to the next
    continuous: bool = False
    #: hook `grow` (1997 Exp. 2); None: the cells are present from the start
    grow: GrowSettings | None = None
    #: gradient (the trainer) or random_guessing
    method: Literal["gradient", "random_guessing"] = "gradient"
    guessing: GuessingSettings = Field(default_factory=GuessingSettings)


class TaskSettings(ComponentSettings):
    """A task by name; `trial_params` vary over the trials (config.trial_variants)."""

    trial_params: dict[str, list] = Field(default_factory=dict)


class ExperimentSettings(BaseModel):
    """One resolved experiment (a profile's override applied; config.resolve_experiment)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    seed: int
    trials: int
    task: TaskSettings
    model: ComponentSettings
    train: TrainSettings
    evaluate: ComponentSettings
    #: trials per ensemble job; None: all of them in one
    trials_per_job: int | None = None
