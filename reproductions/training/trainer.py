"""On-line training of an ensemble of independent trials.

Each trial keeps the paper's protocol exactly: its own seeded weights, its own
stream of training sequences, one weight update per sequence (SGD with
momentum), its own stopping point. Only the per-operation overhead is shared:
one batched forward and backward pass serves all trials still training.

A long run saves a checkpoint every `checkpoint_seconds`; started again, it
resumes from it and ends with the same result as an uninterrupted run (the
checkpoint holds weights, momentum, every trial's random-number state and the
stopping rule's state).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from ..atomic import atomic_torch_save  # noqa: F401 (one atomic writer for every output)
from ..models import build_model
from ..tasks import build_task, collate
from ..tasks.metrics import squared_error
from .compiled import fused_step_for
from .fused_rtrl import RealTimeLSTMStep
from .run_identity import results_relevant
from .stopping import build_stopping_rule

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


def weights_digest(weights: dict[str, torch.Tensor]) -> str:
    """SHA-256 of one trial's weights (names and exact bits)."""
    digest = hashlib.sha256()
    for name in sorted(weights):
        digest.update(name.encode())
        digest.update(weights[name].detach().contiguous().numpy().tobytes())
    return digest.hexdigest()


def weights_summary(weights: dict[str, torch.Tensor]) -> dict[str, list[float]]:
    """Per tensor, the sum and the Euclidean norm of one trial's weights: numbers that a
    replay on another CPU can be compared with to a tolerance, where the digest cannot."""
    return {name: [float(weights[name].sum()), float(weights[name].norm())] for name in sorted(weights)}


@dataclass
class TrainingOutcome:
    """Per-trial records (in trial order) and the trained weights."""

    records: list[dict]
    weights: list[dict[str, torch.Tensor]]


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
        train = experiment["train"]
        self.dtype = DTYPES[train["dtype"]]
        self.task = build_task(experiment["task"]["name"], experiment["task"]["params"])
        self.max_sequences = train["max_sequences"]
        self.momentum = train["momentum"]
        self.optimizer = train.get("optimizer", "sgd_momentum")
        self.batch_size = train.get("batch_size", 1)
        #: "sequence": one update per sequence; "step": one per time step (real-time learning)
        self.update = train.get("update", "sequence")
        rates = train["learning_rate"]
        rates = rates if isinstance(rates, list) else [rates]
        #: a grid of learning rates is spread over the trials: trial i uses rate i mod len
        self.trial_rates = np.array([float(rates[t % len(rates)]) for t in self.trials])
        self.stopping = build_stopping_rule(train["stopping"]["name"], train["stopping"].get("params", {}))
        #: which implementation trains: "eager" (torch autograd) or "fused" (compiled)
        self.use_fused = train.get("fused", True)
        self.path_name = "eager"
        #: 1997 Exp. 2: the memory cell joins once the error stops decreasing (None: present from the start)
        self.grow = train.get("grow")

    def new_model(self, trials: int):
        model = self.experiment["model"]
        return build_model(model["name"], model["params"], self.task.input_size, self.task.output_size,
                           trials, dtype=self.dtype)

    def run(self) -> TrainingOutcome:
        K = len(self.trials)
        seeds = [trial_seeds(self.experiment["seed"], t) for t in self.trials]
        model = self.new_model(K)
        model.reset([init for init, _ in seeds])
        fusable = self.use_fused and self.optimizer == "sgd_momentum" and self.batch_size == 1
        if self.update == "step":
            if not fusable:
                raise ValueError("train.update: step needs the compiled path (sgd_momentum, batch_size 1, fused)")
            self.fused_step = RealTimeLSTMStep(model, every_step=True)  # ValueError for other models
        else:
            self.fused_step = fused_step_for(model) if fusable else None
        self.path_name = ("fused, real-time" if self.update == "step" else "fused") if self.fused_step else "eager"
        state = {
            "fingerprint": fingerprint(self.experiment, self.trials),
            "seen": 0,
            "active": list(range(K)),  # positions (in self.trials) of trials still training
            "rngs": [np.random.default_rng(data) for _, data in seeds],
            "velocity": {name: torch.zeros_like(p) for name, p in model.named_parameters()},
            # Adam's second moment (the first moment lives in "velocity")
            "second_moment": {name: torch.zeros_like(p) for name, p in model.named_parameters()},
            "recent_loss": np.full((K, 100), np.nan),
            "records": [None] * K,
            "weights": [None] * K,
            "elapsed": 0.0,
            # growth (train.grow): per trial, whether its cells have joined, the loss of its
            # last window, and the cells' initial output weights, held back until they join
            "grown": np.full(K, not self.grow),
            "window_loss": np.full(K, np.inf),
            "grow_weights": model.w_out.detach().clone() if self.grow else None,
            "grown_at": [None] * K,
            "replay": [None] * K,  # (sequences, weights digest, weights summary) at REPLAY_AT
            "replay_taken": False,
            # sizes the first fused block (memory); measured on the blocks after it
            "mean_length": self.task.mean_length(),
            "checkouts": [],  # the code each process that trained this run started from
        }
        if self.grow:
            self._hold_back_cells(model, state)
        resumed = self._load_checkpoint(state, model)
        #: training time spent before this process resumed the run (compute accounting)
        self.resumed_seconds = state["elapsed"] if resumed else 0.0
        if self.checkout is not None and self.checkout not in state["checkouts"][-1:]:
            state["checkouts"].append(self.checkout)
        self.checkouts = state["checkouts"]
        started = time.monotonic() - state["elapsed"]
        last_save = last_shown = time.monotonic()
        bar = tqdm(total=K, desc=self.experiment.get("id", "training"), unit="trial",
                   disable=None if self.progress is None else not self.progress,
                   initial=K - len(state["active"]))
        if resumed:
            print(f"resumed from {self.checkpoint} at {state['seen']} sequences", file=sys.stderr, flush=True)
        while state["active"]:
            growing = not state["grown"][state["active"]].all()
            # while cells wait to join, one sequence at a time (their output weights are reset after each)
            block = 1 if growing else self._block_size(state)
            if self.fused_step is not None:
                self._fused_block(model, state, block)
            else:
                self._step(model, state, min(self.batch_size, block))
            if growing:
                self._grow_step(model, state)
            if state["seen"] >= self.REPLAY_AT and not state["replay_taken"]:
                state["replay_taken"] = True
                for row, position in enumerate(state["active"]):
                    weights = model.trial_state(row)
                    state["replay"][position] = (state["seen"], weights_digest(weights), weights_summary(weights))
            solved = self.stopping.solved(model, self.task, state["seen"])
            out_of_budget = state["seen"] >= self.max_sequences
            if solved is not None or out_of_budget:
                if solved is None:
                    solved = np.zeros(len(state["active"]), dtype=bool)
                finished = solved | out_of_budget
                if finished.any():
                    self._finish(model, state, finished, solved, time.monotonic() - started)
                    bar.update(int(finished.sum()))
            if not bar.disable and time.monotonic() - last_shown > 1.0:
                bar.set_postfix(sequences=f"{state['seen']:,}")
                last_shown = time.monotonic()
            if time.monotonic() - last_save > self.checkpoint_seconds:
                state["elapsed"] = time.monotonic() - started
                if self.checkpoint:
                    self._save_checkpoint(state, model)
                if bar.disable:  # a log file, not a terminal: one status line per interval
                    print(f"{state['elapsed']:7.0f} s: {K - len(state['active'])}/{K} trials done, "
                          f"{state['seen']:,} sequences each", file=sys.stderr, flush=True)
                last_save = time.monotonic()
        bar.close()
        return TrainingOutcome(state["records"], state["weights"])

    def _hold_back_cells(self, model, state) -> None:
        """Zero the output weights of the cells of trials whose cells have not joined: a cell
        that reaches no output gets no error, so the net trains as if it had none."""
        waiting = torch.as_tensor(~state["grown"][state["active"]])
        with torch.no_grad():
            model.w_out[waiting] = 0.0
            state["velocity"]["w_out"][waiting] = 0.0

    def _grow_step(self, model, state) -> None:
        """After each sequence of the growth phase: every `window` sequences, a waiting trial
        whose mean loss fell by less than `min_decrease` (relative) since its previous window
        gets its cells (their initial output weights come back)."""
        window = self.grow["window"]
        if state["seen"] % window == 0:
            ring = state["recent_loss"].shape[1]
            for row, position in enumerate(state["active"]):
                if state["grown"][position]:
                    continue
                recent = state["recent_loss"][position, [(state["seen"] - 1 - i) % ring for i in range(min(window, ring))]]
                loss = float(np.mean(recent))
                previous = state["window_loss"][position]
                if np.isfinite(previous) and loss >= (1.0 - self.grow["min_decrease"]) * previous:
                    state["grown"][position] = True
                    state["grown_at"][position] = state["seen"]
                    with torch.no_grad():
                        model.w_out[row] = state["grow_weights"][position]
                else:
                    state["window_loss"][position] = loss
        self._hold_back_cells(model, state)

    #: at most this many values (trial-steps x (inputs + targets + 1)) in one fused block:
    #: bounds the block's memory (32 MB) for nets with many inputs and outputs (Exp. 2)
    BLOCK_VALUES = 4_000_000

    def _block_size(self, state) -> int:
        """Sequences per trial in the next fused call: never past a point where the
        stopping rule could stop a trial or the budget ends, so stops stay exact."""
        limit = getattr(self.stopping, "block_limit", None)
        allowed = limit(state["seen"]) if limit else 1
        if self.fused_step is not None and state["seen"] < self.REPLAY_AT:  # a block ends where the replay digest is taken
            allowed = min(allowed, self.REPLAY_AT - state["seen"])
        length = state["mean_length"]
        # a one-hot block holds one symbol per step, not input_size values (Exp. 2c: 1,004)
        width = (1 if state.get("one_hot") else self.task.input_size) + self.task.output_size + 1
        memory = max(1, int(self.BLOCK_VALUES / (len(state["active"]) * length * width)))
        return max(1, min(allowed, self.max_sequences - state["seen"], memory))

    def _fused_block(self, model, state, count: int) -> None:
        """`count` sequences for every active trial, trained one after another
        (an update after each) in one compiled call."""
        active = state["active"]
        K = len(active)
        drawn = [seq for i in active for seq in self.task.sample_block(state["rngs"][i], count)]  # trial-major
        # one-hot tasks pass the active input unit of each step, not the dense codes
        one_hot = all(seq.symbols is not None for seq in drawn)
        state["one_hot"] = one_hot
        batch = collate(drawn, with_inputs=not one_hot)
        # [K * count, ...] -> [count, K, ...]: sequence j of every trial side by side
        as_block = lambda a: np.ascontiguousarray(a.reshape(K, count, *a.shape[1:]).swapaxes(0, 1))
        xb, db, mb, lengths = (as_block(a) for a in (batch.inputs, batch.targets, batch.error_mask, batch.lengths))
        symb = as_block(batch.symbols) if one_hot else None
        state["mean_length"] = float(lengths.mean())
        outputs, losses = self.fused_step.block(model, state["velocity"], xb, db, mb, lengths,
                                                self.trial_rates[active], float(self.momentum), symb)
        # the scores are written for tensors but work on numpy arrays alike
        correct = self.task.correct(outputs, db, mb)  # [count, K]
        for j in range(count):
            self._record(state, active, correct[j], losses[j])

    def _step(self, model, state, batch_size: int = 1) -> None:
        """`batch_size` sequences for every active trial, then one update each (eager torch)."""
        active = state["active"]
        drawn = [self.task.sample_block(state["rngs"][i], batch_size) for i in active]
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
        with torch.no_grad():
            for name, p in model.named_parameters():
                rate = rates.view(-1, *([1] * (p.dim() - 1)))
                if self.optimizer == "adam":
                    self._adam(state, name, p, rate)
                    continue
                # Δw(t) = -α ∂E/∂w + m Δw(t-1), one update per sequence and trial
                velocity = state["velocity"][name]
                velocity.mul_(self.momentum).sub_(p.grad * rate)
                p.add_(velocity)
            correct = self.task.correct(outputs, targets, mask).numpy()
        for b in range(batch_size):
            self._record(state, active, correct[:, b], losses.detach()[:, b].numpy())

    def _adam(self, state, name, p, rate, betas=(0.9, 0.999), eps=1e-8) -> None:
        """Adam (Kingma & Ba 2015) per trial; a modern extra, never the papers' optimiser."""
        step = state["seen"] // self.batch_size + 1
        m, v = state["velocity"][name], state["second_moment"][name]
        m.mul_(betas[0]).add_(p.grad, alpha=1 - betas[0])
        v.mul_(betas[1]).addcmul_(p.grad, p.grad, value=1 - betas[1])
        m_hat = m / (1 - betas[0] ** step)
        v_hat = v / (1 - betas[1] ** step)
        p.sub_(rate * m_hat / (v_hat.sqrt() + eps))

    def _record(self, state, active, correct, loss_values) -> None:
        """Book one sequence of every active trial."""
        slot = state["seen"] % state["recent_loss"].shape[1]
        state["recent_loss"][active, slot] = loss_values
        self.stopping.observe(correct, loss_values)
        state["seen"] += 1

    def _finish(self, model, state, finished: np.ndarray, solved: np.ndarray, elapsed: float) -> None:
        """Record the trials that stopped and drop them from the ensemble."""
        active = state["active"]
        for row in np.flatnonzero(finished):
            position = active[row]
            state["records"][position] = {
                "trial": self.trials[position],
                "seed": self.experiment["seed"],
                "learning_rate": float(self.trial_rates[position]),
                "solved": bool(solved[row]),
                "sequences": state["seen"],
                "final_loss": float(np.nanmean(state["recent_loss"][position])),
                "wall_seconds": round(elapsed, 3),
            }
            if not math.isfinite(state["records"][position]["final_loss"]):
                # the weights blew up (NaN or infinite loss): say so, and write no NaN
                state["records"][position].update(final_loss=None, diverged=True)
            if self.grow:
                state["records"][position]["cells_joined_at"] = state["grown_at"][position]
            if state["replay"][position] is not None:
                # a checkpoint written before runs recorded a summary holds (sequences, digest)
                seen, digest, *summary = state["replay"][position]
                state["records"][position]["replay"] = {"sequences": seen, "weights_sha256": digest,
                                                        **({"weights_summary": summary[0]} if summary else {})}
            # a stopping rule may add what it measured (e.g. when an earlier criterion was met)
            extra = getattr(self.stopping, "record", None)
            if extra is not None:
                state["records"][position].update(extra(row))
            state["weights"][position] = model.trial_state(row)
        keep = np.flatnonzero(~finished)
        state["active"] = [active[row] for row in keep]
        if len(keep):
            keep_index = torch.as_tensor(keep)
            model.select(keep_index)
            state["velocity"] = {name: v[keep_index] for name, v in state["velocity"].items()}
            state["second_moment"] = {name: v[keep_index] for name, v in state["second_moment"].items()}
            self.stopping.drop(keep)

    def _save_checkpoint(self, state, model) -> None:
        self.checkpoint.parent.mkdir(parents=True, exist_ok=True)
        payload = {**state, "rngs": [r.bit_generator.state for r in state["rngs"]],
                   "model": {name: p.detach().clone() for name, p in model.named_parameters()},
                   "stopping": self.stopping.state_dict()}
        atomic_torch_save(payload, self.checkpoint)

    def _load_checkpoint(self, state, model) -> bool:
        if not (self.checkpoint and self.checkpoint.exists()):
            return False
        try:
            saved = torch.load(self.checkpoint, weights_only=False)
            saved["fingerprint"]
        except Exception as error:  # cut short (EOFError, OSError, RuntimeError), or not a checkpoint
            # a run restarted from the beginning gives the same result: nothing is lost but time
            print(f"{self.checkpoint} is truncated or corrupt ({type(error).__name__}: {error}): deleting it "
                  "and starting this run afresh", file=sys.stderr, flush=True)
            self.checkpoint.unlink(missing_ok=True)
            return False
        if saved["fingerprint"] not in fingerprints(self.experiment, self.trials):
            print(f"{self.checkpoint} belongs to another definition of this run: starting afresh",
                  file=sys.stderr, flush=True)
            return False
        for r, rng_state in zip(state["rngs"], saved["rngs"]):
            r.bit_generator.state = rng_state
        model.select(torch.arange(len(saved["active"])))
        with torch.no_grad():
            for name, p in model.named_parameters():
                p.copy_(saved["model"][name])
        for key in ("seen", "active", "velocity", "second_moment", "recent_loss", "records", "weights", "elapsed",
                    "grown", "window_loss", "grow_weights", "grown_at", "replay", "replay_taken", "mean_length",
                    "checkouts"):
            if key in saved:
                state[key] = saved[key]
        if "replay_taken" not in saved:  # written before runs recorded digests: none for this run
            state["replay_taken"] = saved["seen"] >= self.REPLAY_AT
        self.stopping.load_state_dict(saved["stopping"])
        return True
