"""Stopping rules: when a trial counts as solved.

All active trials of an ensemble advance in lockstep (one sequence each per
step), so a rule sees the same sequence count for all of them. A rule keeps
per-trial state in tensors with a trial axis and drops rows when trials leave.

The interface: `observe(correct, losses)` after every sequence (arrays over the
active trials), `solved(model, task, sequences_seen)` after it (None when no
test is due), `drop(keep)` when trials leave, `state_dict`/`load_state_dict`
for checkpoints, and `block_limit(sequences_seen)`: how many sequences may be
trained before the rule could possibly stop a trial (the fused path trains that
many in one compiled call; a rule without it is asked after every sequence).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..registry import Registry
from ..tasks import Task, collate

#: every stopping rule by the name experiments.yaml gives it (`train.stopping: {name: ...}`)
STOPPING_RULES = Registry("stopping rule")


def stack_for_trials(batch, trials: int, dtype) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The same batch for every trial: [K, B, T, ...] views."""
    def expand(array):
        tensor = torch.as_tensor(array, dtype=dtype)
        return tensor.unsqueeze(0).expand(trials, *tensor.shape)

    return expand(batch.inputs), expand(batch.targets), expand(batch.error_mask)


def training_set_accepted(model, task: Task) -> np.ndarray:
    """[K] whether each network accepts every string of the task's training set."""
    inputs, targets, mask = stack_for_trials(collate(task.training_set()), model.trials, model.dtype)
    with torch.no_grad():
        outputs = model(inputs)
    return task.correct(outputs, targets, mask).all(-1).numpy()


@STOPPING_RULES.register("training_set_accepted")
@dataclass
class TrainingSetAccepted:
    """Solved when every string of the task's training set is accepted.

    Tested every `every` sequences, and the trial stops at the first test it
    passes (the Gers & Schmidhuber 2001 criterion "learned the training set";
    the test interval is not verified from the paper).
    """

    every: int = 1000

    def block_limit(self, sequences_seen: int) -> int:
        """How many more sequences the trials may train before this rule could
        stop one: the trainer never runs past a possible stopping point."""
        return self.every - sequences_seen % self.every

    def observe(self, correct: np.ndarray, losses: np.ndarray) -> None:
        """Per-sequence outcomes of the active trials; unused by this rule."""

    def drop(self, keep: np.ndarray) -> None:
        """Trials at positions not in `keep` have left the ensemble."""

    def solved(self, model, task: Task, sequences_seen: int) -> np.ndarray | None:
        """Solved flags of the active trials, or None if no test is due."""
        if sequences_seen % self.every:
            return None
        return training_set_accepted(model, task)

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


def build_stopping_rule(name: str, params: dict):
    return STOPPING_RULES[name](**params)


# --- Hochreiter & Schmidhuber 1997 ---------------------------------------------------------


def evaluate_on(model, task: Task, sequences, batch_size: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Every trial on `sequences` (no gradient), `batch_size` sequences at a time:
    [K, B] results of the task's test and [K, B, O] absolute errors at each
    sequence's last error step."""
    from .fast_eval import ensemble_outputs
    from ..tasks.metrics import final_errors

    correct, errors = [], []
    for start in range(0, len(sequences), batch_size):
        outputs, targets, mask = ensemble_outputs(model, sequences[start : start + batch_size])
        ok = task.correct(outputs, targets, mask)
        correct.append(ok.numpy() if isinstance(ok, torch.Tensor) else np.asarray(ok))
        errors.append(final_errors(outputs, targets, mask))
    return np.concatenate(correct, axis=1), np.concatenate(errors, axis=1)


@STOPPING_RULES.register("training_and_test_sets_correct")
@dataclass
class TrainingAndTestSetsCorrect:
    """1997 Exp. 1: solved when every string of the training set *and* of the
    test set is predicted correctly (the task's test, e.g. "the units of the
    possible next symbols are the most active ones at every step").

    Tested every `every` sequences. The paper does not say how often it tested;
    its reported counts (e.g. 8,440) suggest a fine grid.
    """

    every: int = 100

    def block_limit(self, sequences_seen: int) -> int:
        """Sequences until the next test (the only points where this rule stops a trial)."""
        return self.every - sequences_seen % self.every

    def observe(self, correct: np.ndarray, losses: np.ndarray) -> None:
        """Unused: the test is on fixed sets."""

    def drop(self, keep: np.ndarray) -> None:
        """No per-trial state."""

    def solved(self, model, task: Task, sequences_seen: int) -> np.ndarray | None:
        if sequences_seen % self.every:
            return None
        from .fast_eval import failures

        # screened: the same verdict as testing every string, at a fraction of the cost
        return failures(model, task, task.training_set() + task.test_set(), max_wrong=0) == 0

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


@STOPPING_RULES.register("recent_sequences_correct")
@dataclass
class RecentSequencesCorrect:
    """The 1997 paper's on-line criteria over the most recent training sequences.

    Solved when, among the `window` most recent training sequences, at most
    `max_wrong` failed the task's test and (if `max_mean_loss` is set) the mean
    per-sequence training error E = 1/2 sum (d - y)^2 over the window is below it.

    * ST3(beta) (Exps. 4 and 6, Table 11): window 2000, max_wrong 0,
      max_mean_loss beta ("average training error below beta and the 2000 most
      recent sequences processed correctly"). The paper does not define
      "average training error"; we take the mean of E over the window.
    * Exp. 5: "fewer than n_seq of the 2000 most recent sequences have absolute
      error above 0.04": window 2000, max_wrong n_seq - 1.
    * Exps. 2b, 2c: "the error stays below the threshold for 10,000 successive
      random sequences": window 10000, max_wrong 0. The count reported includes
      the window (see the review page).
    """

    window: int = 2000
    max_wrong: int = 0
    max_mean_loss: float | None = None

    def __post_init__(self):
        self._ok = None  # [K, window] bool ring buffer
        self._loss = None
        self._count = 0

    def _ensure(self, trials: int):
        if self._ok is None:
            self._ok = np.zeros((trials, self.window), dtype=bool)
            self._loss = np.zeros((trials, self.window))
            self._wrong = np.zeros(trials, dtype=np.int64)  # wrong among the buffered
            self._loss_sum = np.zeros(trials)

    def observe(self, correct: np.ndarray, losses: np.ndarray) -> None:
        correct = np.asarray(correct, dtype=bool).reshape(-1)
        losses = np.asarray(losses, dtype=float).reshape(-1)
        self._ensure(len(correct))
        slot = self._count % self.window
        if self._count >= self.window:  # leaving the window
            self._wrong -= ~self._ok[:, slot]
            self._loss_sum -= self._loss[:, slot]
        self._ok[:, slot] = correct
        self._loss[:, slot] = losses
        self._wrong += ~correct
        self._loss_sum += losses
        self._count += 1

    def block_limit(self, sequences_seen: int) -> int:
        """Sequences before any trial could meet the criterion: until the window is
        full, then until enough failed sequences have left some trial's window."""
        if self._ok is None or self._count < self.window:
            return self.window - self._count
        excess = self._wrong - self.max_wrong
        if (excess <= 0).any():
            return 1
        oldest_first = np.roll(~self._ok, -(self._count % self.window), axis=1)
        leave = np.argmax(np.cumsum(oldest_first, axis=1) >= excess[:, None], axis=1) + 1
        return int(max(1, leave.min()))

    def drop(self, keep: np.ndarray) -> None:
        for name in ("_ok", "_loss", "_wrong", "_loss_sum"):
            setattr(self, name, getattr(self, name)[keep])

    def solved(self, model, task: Task, sequences_seen: int) -> np.ndarray | None:
        if self._ok is None or self._count < self.window:
            return None
        done = self._wrong <= self.max_wrong
        if self.max_mean_loss is not None:
            done &= self._loss_sum / self.window < self.max_mean_loss
        return done

    def state_dict(self) -> dict:
        if self._ok is None:
            return {"count": self._count}
        return {"count": self._count, "ok": self._ok.copy(), "loss": self._loss.copy(),
                "wrong": self._wrong.copy(), "loss_sum": self._loss_sum.copy()}

    def load_state_dict(self, state: dict) -> None:
        self._count = state["count"]
        if "ok" in state:
            self._ok, self._loss = state["ok"].copy(), state["loss"].copy()
            self._wrong, self._loss_sum = state["wrong"].copy(), state["loss_sum"].copy()


@STOPPING_RULES.register("test_set_criterion")
@dataclass
class TestSetCriterion:
    """1997 Exp. 3 stopping criteria ST1 and ST2 on a fixed random test set.

    A test set of `size` sequences is drawn once from the task (generator seeded
    with `seed`). Every `every` training sequences each trial is tested on it;
    solved when at most `max_wrong` sequences fail the task's test and (if
    `max_mean_abs_error` is set) the mean absolute error at the sequence ends is
    below it.

    * ST1 (3a): size 256, max_wrong 0 ("none of 256 sequences from a randomly
      chosen test set is misclassified");
    * ST2 (3a): ST1 and max_mean_abs_error 0.01;
    * 3b: max_wrong 5, max_mean_abs_error 0.04.

    The paper does not say how often it tested, nor whether "a randomly chosen test
    set" is one set or a new one at every test. With `fresh`, every test draws its
    own set (generator seeded with `seed` and the number of sequences seen, so a
    resumed or regenerated trial sees the same sets).
    """

    every: int = 100
    size: int = 256
    max_wrong: int = 0
    max_mean_abs_error: float | None = None
    seed: int = 256
    fresh: bool = False

    def __post_init__(self):
        self._sequences = None

    def block_limit(self, sequences_seen: int) -> int:
        """Sequences until the next test (the only points where this rule stops a trial)."""
        return self.every - sequences_seen % self.every

    def observe(self, correct: np.ndarray, losses: np.ndarray) -> None:
        """Unused: the test is on a fixed set."""

    def drop(self, keep: np.ndarray) -> None:
        """No per-trial state."""

    def test_sequences(self, task: Task, sequences_seen: int | None = None) -> list:
        """The fixed test set, drawn once: `size` test sequences (noise-free targets where
        the task has noisy ones) from a generator seeded with `seed`; with `fresh`, the
        set of the test after `sequences_seen` training sequences."""
        if self.fresh and sequences_seen is not None:
            rng = np.random.default_rng([self.seed, sequences_seen])
            return [task.test_sample(rng) for _ in range(self.size)]
        if self._sequences is None:
            rng = np.random.default_rng(self.seed)
            self._sequences = [task.test_sample(rng) for _ in range(self.size)]
        return self._sequences

    def solved(self, model, task: Task, sequences_seen: int) -> np.ndarray | None:
        if sequences_seen % self.every:
            return None
        sequences = self.test_sequences(task, sequences_seen)
        from .fast_eval import failures

        # screened: trials past max_wrong stop being tested (the verdict is unchanged)
        if self.max_mean_abs_error is None:
            return failures(model, task, sequences, self.max_wrong) <= self.max_wrong
        wrong, mean_error = failures(model, task, sequences, self.max_wrong, with_errors=True)
        return (wrong <= self.max_wrong) & (mean_error < self.max_mean_abs_error)

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass



# --- Weiss, Goldberg & Yahav 2018 ----------------------------------------------------------


@STOPPING_RULES.register("fixed_budget")
@dataclass
class FixedBudget:
    """Every trial trains for `sequences` sequences, without stopping early; it has
    learned when the whole training set is accepted at the end of that budget.

    Training past the first acceptance lets a network settle into a cleaner
    counter, which is what a generalisation test probes: Weiss et al. (2018) train
    their networks for a fixed number of epochs rather than until the training set
    is first learned (their budget is not verified). The training set is also
    tested every `every` sequences; the trial's `sequences` record is when it was
    first accepted (the cap if never), as for `training_set_accepted`. With a
    `max_sequences` cap above `sequences`, a trial not accepted at the end of the
    budget trains on until it is, tested every `every` sequences.
    """

    sequences: int = 10000
    every: int = 1000

    def __post_init__(self):
        if self.sequences % self.every:
            raise ValueError(f"sequences ({self.sequences}) must be a multiple of every ({self.every})")
        self._first = None  # per active trial: sequences when first accepted, -1 if not yet

    def block_limit(self, sequences_seen: int) -> int:
        return self.every - sequences_seen % self.every

    def observe(self, correct: np.ndarray, losses: np.ndarray) -> None:
        """Unused: the test is on the fixed training set."""

    def drop(self, keep: np.ndarray) -> None:
        if self._first is not None:
            self._first = self._first[keep]

    def solved(self, model, task: Task, sequences_seen: int) -> np.ndarray | None:
        if sequences_seen % self.every:
            return None
        if self._first is None:
            self._first = np.full(model.trials, -1, dtype=np.int64)
        accepted = training_set_accepted(model, task)
        self._first[(self._first < 0) & accepted] = sequences_seen
        return accepted if sequences_seen >= self.sequences else None

    def record(self, row: int) -> dict:
        """What the trainer adds to a finished trial's record: when it first learned."""
        first = int(self._first[row]) if self._first is not None else -1
        return {"sequences": first} if first >= 0 else {}

    def state_dict(self) -> dict:
        return {"first": None if self._first is None else self._first.copy()}

    def load_state_dict(self, state: dict) -> None:
        self._first = None if state["first"] is None else state["first"].copy()


# --- papers without a success test ----------------------------------------------------------


@STOPPING_RULES.register("budget")
@dataclass
class Budget:
    """No success test: every trial trains `train.max_sequences` sequences and its record's
    `solved` is null (a paper that reports learning curves or final errors and no
    criterion of success, e.g. Elman 1990's prediction experiments)."""

    #: the trainer records `solved: null`, never a verdict this rule cannot give
    has_test = False

    def block_limit(self, sequences_seen: int) -> int:
        return 2**62  # only the budget (train.max_sequences) ends a block

    def observe(self, correct: np.ndarray, losses: np.ndarray) -> None:
        """Nothing to watch."""

    def drop(self, keep: np.ndarray) -> None:
        """Nothing held per trial."""

    def solved(self, model, task: Task, sequences_seen: int) -> np.ndarray | None:
        return None

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Nothing to restore."""

