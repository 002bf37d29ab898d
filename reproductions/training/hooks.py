"""What a training run does besides training: hooks chosen by name in `experiments.yaml`.

A hook sees the run between blocks of sequences. It may bound the next block
(`block_limit`), act after each block (`after_block`), add to a finished trial's
record (`record`), and keep its own state in the run's checkpoint (`state_dict`,
`load_state_dict`; flat keys, so checkpoints keep their keys across versions).

`HOOKS` maps a name to its class; a run gets the hook of every `train` key named here
(`grow:` in 1997 Exp. 2) and those every run has (`replay_digest`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from .run_identity import weights_digest, weights_summary


class TrainingHook:
    """No-op defaults: a hook overrides what it needs."""

    def start(self, trainer, model, state) -> None:
        """Before the first block (and before a checkpoint is loaded)."""

    def block_limit(self, trainer, state) -> int | None:
        """At most this many sequences in the next block (None: no bound)."""
        return None

    def after_block(self, trainer, model, state) -> None:
        """After each block, before the stopping rule's test."""

    def record(self, position: int) -> dict:
        """What a finished trial's record gains (position: the trial's index in the run)."""
        return {}

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, saved: dict) -> None:
        """Restore from a checkpoint's (flat) dict; keys absent in older checkpoints are tolerated."""


@dataclass
class Growth(TrainingHook):
    """1997 Exp. 2: the memory cells join once the error stops decreasing ("added once the
    error stops decreasing"). Until then their output weights are held at zero, so the net
    trains as if it had no cells; every `window` sequences a waiting trial whose mean loss
    fell by less than `min_decrease` (relative) since its previous window gets its cells."""

    window: int
    min_decrease: float
    grown: np.ndarray = field(init=False, default=None)
    window_loss: np.ndarray = field(init=False, default=None)
    grow_weights: torch.Tensor = field(init=False, default=None)
    grown_at: list = field(init=False, default=None)

    KEYS = ("grown", "window_loss", "grow_weights", "grown_at")

    def start(self, trainer, model, state) -> None:
        trials = len(trainer.trials)
        self.grown = np.zeros(trials, dtype=bool)
        self.window_loss = np.full(trials, np.inf)
        # the cells' initial output weights, held back until they join
        self.grow_weights = model.w_out.detach().clone()
        self.grown_at = [None] * trials
        self._hold_back_cells(model, state)

    def growing(self, state) -> bool:
        return not self.grown[state.active].all()

    def block_limit(self, trainer, state) -> int | None:
        # while cells wait to join, one sequence at a time (their output weights are reset after each)
        return 1 if self.growing(state) else None

    def after_block(self, trainer, model, state) -> None:
        if not self.growing(state):
            return
        if state.seen % self.window == 0:
            for row, position in enumerate(state.active):
                if not self.grown[position]:
                    self._judge(model, state, row, position)
        self._hold_back_cells(model, state)

    def _judge(self, model, state, row: int, position: int) -> None:
        """The trial's cells join if its mean loss over the last window fell too little."""
        ring = state.recent_loss.shape[1]
        recent = state.recent_loss[position, [(state.seen - 1 - i) % ring for i in range(min(self.window, ring))]]
        loss = float(np.mean(recent))
        previous = self.window_loss[position]
        if np.isfinite(previous) and loss >= (1.0 - self.min_decrease) * previous:
            self.grown[position] = True
            self.grown_at[position] = state.seen
            with torch.no_grad():
                model.w_out[row] = self.grow_weights[position]
        else:
            self.window_loss[position] = loss

    def _hold_back_cells(self, model, state) -> None:
        """Zero the output weights of the cells of trials whose cells have not joined: a cell
        that reaches no output gets no error."""
        waiting = torch.as_tensor(~self.grown[state.active])
        with torch.no_grad():
            model.w_out[waiting] = 0.0
            state.velocity["w_out"][waiting] = 0.0

    def record(self, position: int) -> dict:
        return {"cells_joined_at": self.grown_at[position]}

    def state_dict(self) -> dict:
        return {key: getattr(self, key) for key in self.KEYS}

    def load_state_dict(self, saved: dict) -> None:
        for key in self.KEYS:
            if key in saved:
                setattr(self, key, saved[key])


@dataclass
class ReplayDigest(TrainingHook):
    """Every trial still training at `at` sequences records a digest of its weights there
    (`replay` in its record): a long run can be checked by replaying its start."""

    at: int = 2000
    replay: list = field(init=False, default=None)  # per trial: (sequences, digest, summary)
    replay_taken: bool = field(init=False, default=False)

    def start(self, trainer, model, state) -> None:
        self.replay = [None] * len(trainer.trials)

    def block_limit(self, trainer, state) -> int | None:
        # a compiled block ends where the digest is taken
        if trainer.fused_step is not None and state.seen < self.at:
            return self.at - state.seen
        return None

    def after_block(self, trainer, model, state) -> None:
        if state.seen >= self.at and not self.replay_taken:
            self.replay_taken = True
            for row, position in enumerate(state.active):
                weights = model.trial_state(row)
                self.replay[position] = (state.seen, weights_digest(weights), weights_summary(weights))

    def record(self, position: int) -> dict:
        if self.replay[position] is None:
            return {}
        # a checkpoint written before runs recorded a summary holds (sequences, digest)
        seen, digest, *summary = self.replay[position]
        return {"replay": {"sequences": seen, "weights_sha256": digest,
                           **({"weights_summary": summary[0]} if summary else {})}}

    def state_dict(self) -> dict:
        return {"replay": self.replay, "replay_taken": self.replay_taken}

    def load_state_dict(self, saved: dict) -> None:
        self.replay = saved.get("replay", self.replay)
        # written before runs recorded digests: none for this run
        self.replay_taken = saved.get("replay_taken", saved["seen"] >= self.at)


#: hooks by name; the key of `train` that turns each on (its value: the hook's parameters)
HOOKS = {"grow": Growth, "replay_digest": ReplayDigest}
#: hooks every gradient-trained run has, in this order after the ones `train` names
ALWAYS = ("replay_digest",)


def build_hooks(train, replay_at: int) -> list[TrainingHook]:
    """The hooks of one run (`train`: its TrainSettings), in a fixed order: those `train`
    names (growth), then the replay digest."""
    named = [HOOKS[name](**getattr(train, name).model_dump()) for name in HOOKS
             if name not in ALWAYS and getattr(train, name, None) is not None]
    return named + [ReplayDigest(at=replay_at)]
