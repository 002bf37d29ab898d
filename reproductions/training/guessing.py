"""Random weight guessing as a training method (Schmidhuber & Hochreiter 1996).

The 1997 paper (§5 intro, §5.3) says that Bengio et al.'s 2-sequence problem
(its Exp. 3a) is solved faster by guessing than by LSTM or any published
method: draw every weight of a small network at random, test it, repeat
until a guess passes. The paper gives no details of its guesser; ours:

* the network is any registered model (we use a small Elman net);
* every weight, biases included, is uniform in [-weight_range, weight_range];
* a guess passes when it satisfies the experiment's stopping rule, which must
  be a fixed-test-set rule (`test_set_criterion`, e.g. ST1: none of 256 test
  sequences misclassified);
* cheap screening: a guess is first tested on the test set's first `screen`
  sequences and only then on all of them.

A trial records `guesses` (networks drawn) and `sequences` (test sequences
processed, the cost comparable to LSTM's training sequences), until the first
passing guess or until `train.max_sequences` sequences were spent.

An experiment selects it with `train.method: random_guessing`; `runner.run_chunk`
then calls it in place of the trainer and writes the same chunk files.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from ..models import build_model
from ..settings import ComponentSettings, GuessingSettings
from ..tasks import build_task
from .fast_eval import ensemble_outputs
from .stopping import TestSetCriterion, build_stopping_rule
from .trainer import TrainingOutcome, trial_seeds



def _draw(model, rng: np.random.Generator, weight_range: float) -> None:
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.as_tensor(rng.uniform(-weight_range, weight_range, size=tuple(p.shape)), dtype=p.dtype))


def guess_trial(experiment: dict, trial: int) -> tuple[dict, dict]:
    """One trial of random guessing: (record, weights of the passing guess or last guess)."""
    started = time.monotonic()
    # guessing reads only its own settings and the stopping rule (no learning rate or dtype)
    settings = GuessingSettings.model_validate(experiment["train"].get("guessing", {}))
    stopping = ComponentSettings.model_validate(experiment["train"]["stopping"])
    task = build_task(experiment["task"]["name"], experiment["task"]["params"])
    rule = build_stopping_rule(stopping.name, stopping.params)
    if not isinstance(rule, TestSetCriterion):
        raise ValueError("random guessing needs a fixed-test-set stopping rule (test_set_criterion)")
    tests = rule.test_sequences(task)  # the same fixed set as the rule tests a trained net on
    _, data_seed = trial_seeds(experiment["seed"], trial)
    rng = np.random.default_rng(data_seed)
    G, screen = settings.guesses_per_round, settings.screen
    spec = experiment["model"]
    model = build_model(spec["name"], spec["params"], task.input_size, task.output_size, G)
    guesses = sequences = 0
    found = None
    while sequences < experiment["train"]["max_sequences"] and found is None:
        _draw(model, rng, settings.weight_range)
        outputs, targets, mask = ensemble_outputs(model, tests[:screen])
        passed = np.flatnonzero((~np.asarray(task.correct(outputs, targets, mask))).sum(-1) <= rule.max_wrong)
        checked = G  # guesses whose screening counts
        if len(passed):
            first = _first_passing(model, spec, task, tests, rule, passed)
            if first is not None:
                checked = first + 1  # the guesses before the first passing one, in drawing order
                found = {n: p.detach()[first].clone() for n, p in model.named_parameters()}
            # full tests of screened guesses drawn up to the first passing one
            sequences += int((passed < checked).sum()) * (len(tests) - screen)
        guesses += checked
        sequences += checked * screen
    weights = found or {n: p.detach()[0].clone() for n, p in model.named_parameters()}
    record = {"trial": trial, "seed": experiment["seed"], "learning_rate": 0.0, "solved": found is not None,
              "sequences": int(sequences), "guesses": int(guesses), "final_loss": float("nan"),
              "wall_seconds": round(time.monotonic() - started, 3)}
    return record, weights


def _first_passing(model, spec: dict, task, tests: list, rule, passed: np.ndarray) -> int | None:
    """Of the guesses that passed the screen, the first (in drawing order) to pass the
    whole test set, or None."""
    keep = torch.as_tensor(passed)
    survivors = build_model(spec["name"], spec["params"], task.input_size, task.output_size, len(passed))
    survivors.load_state_dict({n: p.detach()[keep] for n, p in model.named_parameters()})
    survivors.trials = len(passed)
    full_ok, errors = _evaluate(survivors, task, tests)
    good = (~full_ok).sum(-1) <= rule.max_wrong
    if rule.max_mean_abs_error is not None:
        good &= errors.mean(axis=(1, 2)) < rule.max_mean_abs_error
    return int(passed[np.flatnonzero(good)[0]]) if good.any() else None


def _evaluate(model, task, sequences):
    from .stopping import evaluate_on

    return evaluate_on(model, task, sequences)


def run_guessing(experiment: dict, trials: list[int]) -> TrainingOutcome:
    records, weights = [], []
    for trial in trials:
        record, w = guess_trial(experiment, trial)
        records.append(record)
        weights.append(w)
    return TrainingOutcome(records, weights)


class GuessingTrainer:
    """Random weight guessing behind the trainer's interface (`run`, `new_model`,
    `task`, `path_name`), so the runner treats it like any training method."""

    path_name = "random guessing"

    def __init__(self, experiment: dict, trials: list[int], **_ignored):
        self.experiment = experiment
        self.trials = list(trials)
        self.task = build_task(experiment["task"]["name"], experiment["task"]["params"])

    def run(self) -> TrainingOutcome:
        return run_guessing(self.experiment, self.trials)

    def new_model(self, trials: int):
        spec = self.experiment["model"]
        return build_model(spec["name"], spec["params"], self.task.input_size, self.task.output_size, trials)
