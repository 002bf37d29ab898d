"""Typed settings of an experiment's `train` block, with every default in one place.

These models are the one description of the `train` block: the JSON schema that
`reproductions/config.py` validates each file against (one line naming file and key) is
generated from them, descriptions and bounds included (`config.settings_schema`); the
validated blocks then read as these types, so code reads `settings.batch_size`, never
`train.get("batch_size", 1)`.

Bounds. A number's type is part of its type here; its bounds are not: they keep a value
within what the papers' protocols use, with room to spare (a number outside is a typo that
would train silently wrong, diverge, or plan more jobs than a machine can hold), and an
experiment may leave them on purpose by naming the key under `outside_bounds:` with a
reason. So bounds live only in the generated schema (`plausible`), which honours
`outside_bounds`, never in the pydantic validation, which would refuse the deliberate
outlier.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


def plausible(number_type: type, **bounds) -> type:
    """`number_type` with JSON-schema bounds (`minimum`, `exclusiveMaximum`, ...) that the
    file's validation checks and `outside_bounds` may lift; see the module's docstring."""
    return Annotated[number_type, Field(json_schema_extra=bounds)]


class Settings(BaseModel):
    """Unknown keys are an error; settings do not change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ComponentSettings(Settings):
    """A registered component chosen by name, with its class's parameters."""

    name: str = Field(description="registry name")
    params: dict = Field(default_factory=dict, description="constructor arguments of the registered class")


class GrowSettings(Settings):
    """1997 Exp. 2: the memory cells join once the error stops decreasing
    (reproductions/training/hooks.py: Growth)."""

    window: plausible(int, minimum=1, maximum=100)
    min_decrease: plausible(float, minimum=0, maximum=1)


class GuessingSettings(Settings):
    """Random weight guessing (reproductions/training/guessing.py); the paper guesses in [-10, 10]."""

    # the paper guesses in [-10, 10]; 1000 is far beyond any squashing function's range
    weight_range: plausible(float, exclusiveMinimum=0, maximum=1000) = Field(
        10.0, description="weights uniform in [-weight_range, weight_range]")
    screen: plausible(int, minimum=1, maximum=100000) = Field(
        16, description="test sequences a guess must pass before the full test")
    # 2048 here; memory grows with it
    guesses_per_round: plausible(int, minimum=1, maximum=1000000) = Field(
        2048, description="guesses drawn and tested together")


# The papers' rates run from 1e-5 (1997 Exp. 1 grids) to 1.0 (1997, Gers 2001 grids); 0
# never learns and on-line SGD on these nets diverges long before 10.
LearningRate = plausible(float, exclusiveMinimum=0, maximum=10)


class TrainSettings(Settings):
    """An experiment's `train` block (the experiments schema's `train` is generated from it)."""

    dtype: Literal["float64", "float32"]
    learning_rate: LearningRate | Annotated[list[LearningRate], Field(min_length=1)] = Field(
        description="one rate, or a grid (trial i uses rate i mod the grid's length)")
    momentum: plausible(float, minimum=0, exclusiveMaximum=1)
    # the largest cap of the papers' protocols is 2 x 10^7 sequences (1997 Exp. 2c, paper profile)
    max_sequences: plausible(int, minimum=1, maximum=100_000_000) = Field(
        description="the paper's cap on training sequences per trial")
    stopping: ComponentSettings
    fused: bool = Field(True, description="use the compiled training path where it applies (default true)")
    optimizer: Literal["sgd_momentum", "adam"] = Field(
        "sgd_momentum",
        description="sgd_momentum (the papers': Δw = -lr ∂E/∂w + momentum Δw, default) or adam (a modern "
                    "extra, never instead of the paper's; betas 0.9/0.999, momentum unused; "
                    "reproductions/training/updates.py)")
    update: Literal["sequence", "step"] = Field(
        "sequence",
        description="when on-line weight changes are applied: after each sequence (default; the sum of every "
                    "time step's contribution) or after every time step (real-time learning, on the compiled "
                    "path: RTRL for the 1997 cell, Elman's one-step gradient for the SRN)")
    continuous: bool = Field(
        False,
        description="a continuous stream: the recurrent state is carried from one sequence to the next instead "
                    "of being reset (default false; the SRN with update: step)")
    # the extras use 16; a batch beyond the trial's sequences means nothing
    batch_size: plausible(int, minimum=1, maximum=10000) = Field(
        1, description="sequences per update and trial (default 1, on-line as in the papers)")
    grow: GrowSettings | None = Field(
        None,
        description="the memory cells join during training (1997 Exp. 2: \"added once the error stops "
                    "decreasing\"): until then their output weights are held at zero; every `window` sequences "
                    "a trial whose mean loss fell by less than `min_decrease` (relative) since its previous "
                    "window gets its cells (hook `grow`; left out: the cells are present from the start)")
    method: Literal["gradient", "random_guessing"] = Field(
        "gradient",
        description="how the trials learn: gradient (the trainer, default) or random_guessing "
                    "(reproductions/training/guessing.py; learning_rate and momentum are then unused)")
    guessing: GuessingSettings = Field(default_factory=GuessingSettings)


class TaskSettings(ComponentSettings):
    """A task by name; `trial_params` vary over the trials (config.trial_variants)."""

    trial_params: dict[str, Annotated[list, Field(min_length=1)]] = Field(
        default_factory=dict,
        description="task params that vary over the trials, crossed with the learning-rate grid of R rates: "
                    "trial i uses element (i // R) mod the list's length (e.g. the paper's training/test set "
                    "pairs); each value is checked like params")


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
