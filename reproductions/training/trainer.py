"""On-line training of an ensemble of independent trials.

Each trial keeps the paper's protocol exactly: its own seeded weights, its own
stream of training sequences, one weight update per sequence (SGD with
momentum), its own stopping point. Only the per-operation overhead is shared:
one batched forward and backward pass serves all trials still training.

A long run saves a checkpoint every `checkpoint_seconds`; started again, it
resumes from it and ends with the same result as an uninterrupted run (the
checkpoint holds weights, momentum, every trial's random-number state and the
stopping rule's state).

The run is a short loop over blocks of sequences: `TrainState` is what it carries,
the update strategy (`updates.py`: which compiled step, or which optimiser on the eager
path) is chosen by `train.update` and `train.optimizer`, and what a run does besides
training (1997 Exp. 2's growth, replay digests) are hooks (`hooks.py`).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from ..atomic import atomic_torch_save
from ..models import build_model
from ..settings import TrainSettings
from ..tasks import build_task, collate
from ..tasks.metrics import squared_error
from .hooks import build_hooks
from .run_identity import results_relevant, weights_digest, weights_summary  # noqa: F401 (runner and tests take them from here)
from .stopping import build_stopping_rule
from .updates import OPTIMIZERS, UPDATE_STEPS

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def trial_seeds(base_seed: int, trial: int) -> tuple[int, int]:
    """(weight-initialisation seed, data-stream seed) of one trial.

    Derived from (experiment seed, trial index) alone, so trial 7 is the same
    network on the same data whether it runs alone or in an ensemble of 64.
    """
    init_seed, data_seed = np.random.SeedSequence([base_seed, trial]).generate_state(2)
    return int(init_seed), int(data_seed)


def fingerprint(experiment: dict, trials: list[int]) -> str:
    """Identifies a run, so a checkpoint is only resumed by the run that wrote it: the trials
    and everything of the experiment that affects results (not its title or description,
    so editing prose keeps a long run's checkpoints)."""
    text = json.dumps({"experiment": results_relevant(experiment), "trials": trials}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprints(experiment: dict, trials: list[int]) -> tuple[str, str]:
    """The fingerprint, and the form checkpoints and chunks had before 2026-11-27 (the whole
    experiment hashed), which identifies the same run and is still accepted."""
    text = json.dumps({"experiment": experiment, "trials": trials}, sort_keys=True)
    return fingerprint(experiment, trials), hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class TrainingOutcome:
    """Per-trial records (in trial order) and the trained weights."""

    records: list[dict]
    weights: list[dict[str, torch.Tensor]]


#: the checkpoint format this code writes. Version 1 (no `version` field) is the format
#: before 2026-12-04, which holds the same keys and is still read; another version is
#: not: its run restarts, as from a corrupt checkpoint (same result, more time).
CHECKPOINT_VERSION = 2
READABLE_CHECKPOINTS = (1, 2)


@dataclass
class TrainState:
    """Everything one run carries from block to block; a checkpoint is this, saved (with
    the weights, the stopping rule's and the hooks' states)."""

    fingerprint: str
    rngs: list[np.random.Generator]  # each trial's data stream
    velocity: dict[str, torch.Tensor]  # momentum (Adam: its first moment)
    second_moment: dict[str, torch.Tensor]  # Adam's second moment
    recent_loss: np.ndarray  # [trials, 100] ring of the last sequences' losses
    records: list  # per trial (position in the run), its record once finished
    weights: list  # per trial, its weights once finished
    active: list[int]  # positions of the trials still training
    mean_length: float  # sizes the first compiled block (memory); measured on the blocks after it
    seen: int = 0  # sequences every active trial has trained on
    elapsed: float = 0.0  # training seconds, over every process that ran this run
    one_hot: bool = False  # whether the last compiled block passed one-hot symbols
    checkouts: list = field(default_factory=list)  # the code each process that trained this run started from
    carry: dict | None = None  # continuous streams: each active trial's recurrent state

    #: saved as they are (the random states and the weights are converted)
    SAVED = ("fingerprint", "velocity", "second_moment", "recent_loss", "records", "weights", "active",
             "mean_length", "seen", "elapsed", "one_hot", "checkouts", "carry")

    def checkpoint(self) -> dict:
        return {"version": CHECKPOINT_VERSION, **{key: getattr(self, key) for key in self.SAVED},
                "rngs": [r.bit_generator.state for r in self.rngs]}

    def restore(self, saved: dict) -> None:
        for r, rng_state in zip(self.rngs, saved["rngs"]):
            r.bit_generator.state = rng_state
        for key in self.SAVED:
            if key in saved:
                setattr(self, key, saved[key])

    def keep(self, keep: np.ndarray) -> None:
        """Drop the trials finished: the rows not in `keep` of everything held per active trial."""
        self.active = [self.active[row] for row in keep]
        if not len(keep):  # the run is over; a checkpoint keeps the last trials' rows (tests resume from it)
            return
        index = torch.as_tensor(keep)
        self.velocity = {name: v[index] for name, v in self.velocity.items()}
        self.second_moment = {name: v[index] for name, v in self.second_moment.items()}
        if self.carry is not None:
            self.carry = {name: np.ascontiguousarray(v[..., keep]) for name, v in self.carry.items()}


class EnsembleTrainer:
    """Trains the trials `trials` of one resolved experiment as one ensemble."""

    #: every trial still training at this many sequences records a digest of its weights
    #: there (`replay` in its record): a long run can be checked by replaying its start
    REPLAY_AT = 2000

    def __init__(self, experiment: dict, trials: list[int], checkpoint: Path | None = None,
                 checkpoint_seconds: float = 60.0, progress: bool | None = None, checkout: dict | None = None):
        self.experiment = experiment
        #: the code this process runs (git state); a resumed run keeps the list of all of them
        self.checkout = checkout
        self.trials = list(trials)
        self.checkpoint = Path(checkpoint) if checkpoint else None
        self.checkpoint_seconds = checkpoint_seconds
        self.progress = progress
        self.settings = train = TrainSettings.model_validate(experiment["train"])
        self.dtype = DTYPES[train.dtype]
        self.task = build_task(experiment["task"]["name"], experiment["task"]["params"])
        self.max_sequences, self.momentum = train.max_sequences, train.momentum
        self.optimizer, self.batch_size = train.optimizer, train.batch_size
        rates = train.learning_rate if isinstance(train.learning_rate, list) else [train.learning_rate]
        #: a grid of learning rates is spread over the trials: trial i uses rate i mod len
        self.trial_rates = np.array([float(rates[t % len(rates)]) for t in self.trials])
        self.stopping = build_stopping_rule(train.stopping.name, train.stopping.params)
        self.hooks = build_hooks(train, self.REPLAY_AT)
        #: which implementation trains: "eager" (torch autograd) or "fused" (compiled)
        self.path_name = "eager"
        self.fused_step = None

    def new_model(self, trials: int):
        model = self.experiment["model"]
        return build_model(model["name"], model["params"], self.task.input_size, self.task.output_size,
                           trials, dtype=self.dtype)

    def run(self) -> TrainingOutcome:
        model, state = self._start()
        with self._clock(state) as clock:
            while state.active:
                self._train_block(model, state)
                self._stop_finished(model, state, clock)
                clock.tick(lambda: self._save_checkpoint(state, model))
        return TrainingOutcome(state.records, state.weights)

    def _start(self):
        """The model, the fused step and the state of a fresh run, or of the checkpoint's."""
        K = len(self.trials)
        seeds = [trial_seeds(self.experiment["seed"], t) for t in self.trials]
        model = self.new_model(K)
        model.reset([init for init, _ in seeds])
        self._choose_path(model)
        state = TrainState(
            fingerprint=fingerprint(self.experiment, self.trials), rngs=[np.random.default_rng(d) for _, d in seeds],
            velocity={name: torch.zeros_like(p) for name, p in model.named_parameters()},
            second_moment={name: torch.zeros_like(p) for name, p in model.named_parameters()},
            recent_loss=np.full((K, 100), np.nan), records=[None] * K, weights=[None] * K,
            active=list(range(K)), mean_length=self.task.mean_length(),
            carry=self.fused_step.initial_carry(K) if hasattr(self.fused_step, "initial_carry") else None)
        for hook in self.hooks:
            hook.start(self, model, state)
        resumed = self._load_checkpoint(state, model)
        #: training time spent before this process resumed the run (compute accounting)
        self.resumed_seconds = state.elapsed if resumed else 0.0
        if self.checkout is not None and self.checkout not in state.checkouts[-1:]:
            state.checkouts.append(self.checkout)
        self.checkouts = state.checkouts
        if resumed:
            print(f"resumed from {self.checkpoint} at {state.seen} sequences", file=sys.stderr, flush=True)
        return model, state

    def _choose_path(self, model) -> None:
        """The compiled step the update strategy names, where the optimiser allows one."""
        train = self.settings
        fusable = train.fused and self.optimizer == "sgd_momentum" and self.batch_size == 1
        if (train.update == "step" or train.continuous) and not fusable:
            raise ValueError("train.update: step and train.continuous need the compiled path (sgd_momentum, "
                             "batch_size 1, fused)")
        self.fused_step = UPDATE_STEPS[train.update](model, continuous=train.continuous) if fusable else None
        real_time = "fused, real-time" if train.update == "step" else "fused"
        self.path_name = real_time if self.fused_step else "eager"

    def _clock(self, state) -> _Clock:
        bar = tqdm(total=len(self.trials), desc=self.experiment.get("id", "training"), unit="trial",
                   disable=None if self.progress is None else not self.progress,
                   initial=len(self.trials) - len(state.active))
        return _Clock(state, bar, self.checkpoint_seconds)

    def _train_block(self, model, state) -> None:
        """One block of sequences for every active trial, then the hooks."""
        limits = [limit for hook in self.hooks if (limit := hook.block_limit(self, state)) is not None]
        block = min([self._block_size(state), *limits])
        if self.fused_step is not None:
            self._fused_block(model, state, block)
        else:
            self._step(model, state, min(self.batch_size, block))
        for hook in self.hooks:
            hook.after_block(self, model, state)

    def _stop_finished(self, model, state, clock) -> None:
        """Ask the stopping rule; record and drop the trials solved or out of budget."""
        solved = self.stopping.solved(model, self.task, state.seen)
        out_of_budget = state.seen >= self.max_sequences
        if solved is None and not out_of_budget:
            return
        if solved is None:
            solved = np.zeros(len(state.active), dtype=bool)
        finished = solved | out_of_budget
        if finished.any():
            self._finish(model, state, finished, solved, clock.elapsed())
            clock.bar.update(int(finished.sum()))

    #: at most this many values (trial-steps x (inputs + targets + 1)) in one fused block:
    #: bounds the block's memory (32 MB) for nets with many inputs and outputs (Exp. 2)
    BLOCK_VALUES = 4_000_000

    def _block_size(self, state) -> int:
        """Sequences per trial in the next block: never past a point where the stopping
        rule could stop a trial or the budget ends, so stops stay exact."""
        limit = getattr(self.stopping, "block_limit", None)
        allowed = limit(state.seen) if limit else 1
        length = state.mean_length
        # a one-hot block holds one symbol per step, not input_size values (Exp. 2c: 1,004)
        width = (1 if state.one_hot else self.task.input_size) + self.task.output_size + 1
        memory = max(1, int(self.BLOCK_VALUES / (len(state.active) * length * width)))
        return max(1, min(allowed, self.max_sequences - state.seen, memory))

    def _fused_block(self, model, state, count: int) -> None:
        """`count` sequences for every active trial, trained one after another
        (an update after each) in one compiled call."""
        active = state.active
        K = len(active)
        drawn = [seq for i in active for seq in self.task.sample_block(state.rngs[i], count)]  # trial-major
        # one-hot tasks pass the active input unit of each step, not the dense codes
        state.one_hot = all(seq.symbols is not None for seq in drawn)
        batch = collate(drawn, with_inputs=not state.one_hot)
        # [K * count, ...] -> [count, K, ...]: sequence j of every trial side by side
        as_block = lambda a: np.ascontiguousarray(a.reshape(K, count, *a.shape[1:]).swapaxes(0, 1))
        xb, db, mb, lengths = (as_block(a) for a in (batch.inputs, batch.targets, batch.error_mask, batch.lengths))
        symb = as_block(batch.symbols) if state.one_hot else None
        state.mean_length = float(lengths.mean())
        carry = {"carry": state.carry} if state.carry is not None else {}
        outputs, losses = self.fused_step.block(model, state.velocity, xb, db, mb, lengths,
                                                self.trial_rates[active], float(self.momentum), symb, **carry)
        # the scores are written for tensors but work on numpy arrays alike
        correct = self.task.correct(outputs, db, mb)  # [count, K]
        for j in range(count):
            self._record(state, active, correct[j], losses[j])

    def _step(self, model, state, batch_size: int = 1) -> None:
        """`batch_size` sequences for every active trial, then one update each (eager torch)."""
        active = state.active
        drawn = [self.task.sample_block(state.rngs[i], batch_size) for i in active]
        batch = collate([seq for seqs in drawn for seq in seqs])  # trial-major
        K = len(active)
        as_tensor = lambda a: torch.as_tensor(a, dtype=self.dtype).view(K, batch_size, *a.shape[1:])
        inputs, targets, mask = as_tensor(batch.inputs), as_tensor(batch.targets), as_tensor(batch.error_mask)
        model.zero_grad(set_to_none=True)
        outputs = model(inputs)
        losses = squared_error(outputs, targets, mask)  # [K, B]
        # the papers' on-line loss for one sequence; the mean over a mini-batch
        losses.mean(1).sum().backward()
        rates = torch.as_tensor(self.trial_rates[active], dtype=self.dtype)
        update = OPTIMIZERS[self.optimizer]
        with torch.no_grad():
            for name, p in model.named_parameters():
                update(self, state, name, p, rates.view(-1, *([1] * (p.dim() - 1))))
            correct = self.task.correct(outputs, targets, mask).numpy()
        for b in range(batch_size):
            self._record(state, active, correct[:, b], losses.detach()[:, b].numpy())

    def _record(self, state, active, correct, loss_values) -> None:
        """Book one sequence of every active trial."""
        slot = state.seen % state.recent_loss.shape[1]
        state.recent_loss[active, slot] = loss_values
        self.stopping.observe(correct, loss_values)
        state.seen += 1

    def _finish(self, model, state, finished: np.ndarray, solved: np.ndarray, elapsed: float) -> None:
        """Record the trials that stopped and drop them from the ensemble."""
        for row in np.flatnonzero(finished):
            position = state.active[row]
            state.records[position] = self._trial_record(state, row, position, bool(solved[row]), elapsed)
            state.weights[position] = model.trial_state(row)
        keep = np.flatnonzero(~finished)
        state.keep(keep)
        if len(keep):
            model.select(torch.as_tensor(keep))
            self.stopping.drop(keep)

    def _trial_record(self, state, row: int, position: int, solved: bool, elapsed: float) -> dict:
        """A finished trial's record: the run's, then each hook's and the stopping rule's."""
        record = {"trial": self.trials[position], "seed": self.experiment["seed"],
                  "learning_rate": float(self.trial_rates[position]),
                  # a rule without a success test (a budget) decides nothing: solved is null
                  "solved": solved if getattr(self.stopping, "has_test", True) else None,
                  "sequences": state.seen, "final_loss": float(np.nanmean(state.recent_loss[position])),
                  "wall_seconds": round(elapsed, 3)}
        if not math.isfinite(record["final_loss"]):
            # the weights blew up (NaN or infinite loss): say so, and write no NaN
            record.update(final_loss=None, diverged=True)
        for hook in self.hooks:
            record.update(hook.record(position))
        # a stopping rule may add what it measured (e.g. when an earlier criterion was met)
        extra = getattr(self.stopping, "record", None)
        if extra is not None:
            record.update(extra(row))
        return record

    def _save_checkpoint(self, state, model) -> None:
        if not self.checkpoint:
            return
        self.checkpoint.parent.mkdir(parents=True, exist_ok=True)
        payload = {**state.checkpoint(), "model": {name: p.detach().clone() for name, p in model.named_parameters()},
                   "stopping": self.stopping.state_dict()}
        for hook in self.hooks:
            payload.update(hook.state_dict())
        atomic_torch_save(payload, self.checkpoint)

    def _read_checkpoint(self) -> dict | None:
        """The checkpoint's contents if this run can resume from it; otherwise None, saying why
        (a damaged one is deleted: a run restarted from the beginning gives the same result)."""
        if not (self.checkpoint and self.checkpoint.exists()):
            return None
        try:
            # not weights_only: the file holds random states and records; it is this run's own
            saved = torch.load(self.checkpoint, weights_only=False)
            saved["fingerprint"]
        except Exception as error:  # cut short (EOFError, OSError, RuntimeError), or not a checkpoint
            print(f"{self.checkpoint} is truncated or corrupt ({type(error).__name__}: {error}): deleting it "
                  "and starting this run afresh", file=sys.stderr, flush=True)
            self.checkpoint.unlink(missing_ok=True)
            return None
        version = saved.get("version", 1)
        if version not in READABLE_CHECKPOINTS:
            print(f"{self.checkpoint} is in checkpoint format version {version!r}; this code reads versions "
                  f"{', '.join(map(str, READABLE_CHECKPOINTS))}: starting this run afresh", file=sys.stderr, flush=True)
            return None
        if saved["fingerprint"] not in fingerprints(self.experiment, self.trials):
            print(f"{self.checkpoint} belongs to another definition of this run: starting afresh",
                  file=sys.stderr, flush=True)
            return None
        return saved

    def _load_checkpoint(self, state, model) -> bool:
        saved = self._read_checkpoint()
        if saved is None:
            return False
        state.restore(saved)
        model.select(torch.arange(len(saved["active"])))
        with torch.no_grad():
            for name, p in model.named_parameters():
                p.copy_(saved["model"][name])
        for hook in self.hooks:
            hook.load_state_dict(saved)
        self.stopping.load_state_dict(saved["stopping"])
        return True


class _Clock:
    """The run's wall time, its progress bar, and when to checkpoint and print status."""

    def __init__(self, state: TrainState, bar, checkpoint_seconds: float):
        self.state, self.bar, self.checkpoint_seconds = state, bar, checkpoint_seconds
        self.started = time.monotonic() - state.elapsed
        self.last_save = self.last_shown = time.monotonic()

    def __enter__(self) -> _Clock:
        return self

    def __exit__(self, *exc) -> None:
        self.bar.close()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def tick(self, save) -> None:
        """Between blocks: refresh the bar each second; checkpoint (`save`) each interval."""
        state = self.state
        if not self.bar.disable and time.monotonic() - self.last_shown > 1.0:
            self.bar.set_postfix(sequences=f"{state.seen:,}")
            self.last_shown = time.monotonic()
        if time.monotonic() - self.last_save > self.checkpoint_seconds:
            state.elapsed = self.elapsed()
            save()
            if self.bar.disable:  # a log file, not a terminal: one status line per interval
                done = len(state.records) - len(state.active)
                print(f"{state.elapsed:7.0f} s: {done}/{len(state.records)} trials done, "
                      f"{state.seen:,} sequences each", file=sys.stderr, flush=True)
            self.last_save = time.monotonic()
