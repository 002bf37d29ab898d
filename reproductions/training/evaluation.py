"""Tests run on trained networks after training, by name."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..registry import Registry
from ..tasks import collate
from ..tasks.metrics import generalisation_range
from .stopping import evaluate_on, stack_for_trials

#: every evaluation by the name experiments.yaml gives it (`evaluate: {name: ...}`)
EVALUATIONS = Registry("evaluation")


@EVALUATIONS.register("generalisation")
@dataclass
class Generalisation:
    """Which string sizes 1..max_size every network accepts (Gers & Schmidhuber
    2001's generalisation test, extended past the paper's test range).

    Reports per trial the generalisation range (largest N with every size up to
    N accepted) and every accepted size beyond it. Sizes are tested
    `sizes_per_batch` at a time, padded into one batch.
    """

    max_size: int = 100
    sizes_per_batch: int = 25

    def __call__(self, model, task) -> list[dict]:
        accepted = [dict() for _ in range(model.trials)]
        for first in range(1, self.max_size + 1, self.sizes_per_batch):
            sizes = range(first, min(first + self.sizes_per_batch, self.max_size + 1))
            strings, owner = [], []
            for size in sizes:
                for sequence in task.strings_up_to(size):
                    strings.append(sequence)
                    owner.append(size)
            inputs, targets, mask = stack_for_trials(collate(strings), model.trials, model.dtype)
            with torch.no_grad():
                ok = task.correct(model(inputs), targets, mask).numpy()  # [K, strings]
            owner = np.array(owner)
            for size in sizes:
                all_ok = ok[:, owner == size].all(-1)
                for k in range(model.trials):
                    accepted[k][size] = bool(all_ok[k])
        results = []
        for per_size in accepted:
            span = generalisation_range(per_size)
            beyond = sorted(size for size, ok in per_size.items() if ok and size > span + 1)
            results.append({"generalisation": span, "accepted_beyond": beyond, "tested_up_to": self.max_size})
        return results


def build_evaluation(name: str, params: dict):
    return EVALUATIONS[name](**params)


@EVALUATIONS.register("generalisation_scan")
@dataclass
class GeneralisationScan:
    """Gers & Schmidhuber 2001's generalisation test, taken far past the paper's
    test range (beyond the paper: up to n = 10,000 by default) and kept cheap.

    Sizes 1, 2, 3, ... are tested in increasing order for every trial (size n:
    every string `task.strings_up_to(n)` returns, so for a^n b^m B^m A^n every
    (n, m) with max(n, m) = n). A trial's scan stops after `patience`
    consecutive rejected sizes, or at `max_size`. LSTMs run on the compiled
    forward path (`fast_eval`), and so do SRNs; other models run their PyTorch module; batches
    are sized so that outputs never exceed `max_batch_steps` trial-string-steps.

    Reports per trial the generalisation range (largest N with every size up to
    N accepted), every accepted size beyond it among those scanned
    (`accepted_beyond`), how far the scan went (`scanned_to`) and the limit
    (`tested_up_to` = `max_size`). An accepted island further than `patience`
    sizes past the last accepted one would be missed; the page says so.
    """

    max_size: int = 10000
    patience: int = 50
    max_batch_steps: int = 1_000_000

    def __call__(self, model, task) -> list[dict]:
        import copy

        from .fast_eval import ensemble_outputs

        K = model.trials
        accepted = [dict() for _ in range(K)]
        misses = np.zeros(K, dtype=int)   # consecutive rejected sizes
        scanned = np.zeros(K, dtype=int)
        active = np.arange(K)
        size = 1
        while len(active) and size <= self.max_size:
            sizes, strings, owner = self._next_sizes(task, len(active), size)
            size = sizes[-1] + 1
            sub = model
            if len(active) < K:
                sub = copy.deepcopy(model)
                sub.select(torch.as_tensor(active))
            outputs, targets, mask = ensemble_outputs(sub, strings)
            ok = np.asarray(task.correct(outputs, targets, mask))  # [active, strings]
            active = self._book(ok, np.array(owner), sizes, active, accepted, misses, scanned)
        return [self._result(per_size, int(scanned[k])) for k, per_size in enumerate(accepted)]

    def _next_sizes(self, task, trials: int, size: int) -> tuple[list[int], list, list[int]]:
        """As many sizes from `size` on as fit the step budget (at least one, at most
        `patience`): (sizes, their strings, the size of each string)."""
        sizes, strings, owner, steps = [], [], [], 0
        while size <= self.max_size:
            batch = task.strings_up_to(size)
            cost = trials * sum(s.length for s in batch)
            if sizes and steps + cost > self.max_batch_steps:
                break
            sizes.append(size)
            strings += batch
            owner += [size] * len(batch)
            steps += cost
            size += 1
            if len(sizes) >= max(1, self.patience):
                break
        return sizes, strings, owner

    def _book(self, ok, owner_arr, sizes, active, accepted, misses, scanned) -> np.ndarray:
        """Record each active trial's verdict per size; the trials still scanning."""
        keep = []
        for row, k in enumerate(active):
            for s in sizes:
                if misses[k] >= self.patience:
                    break
                good = bool(ok[row, owner_arr == s].all())
                accepted[k][s] = good
                scanned[k] = s
                misses[k] = 0 if good else misses[k] + 1
            if misses[k] < self.patience:
                keep.append(k)
        return np.array(keep, dtype=int)

    def _result(self, per_size: dict, scanned_to: int) -> dict:
        span = generalisation_range(per_size)
        beyond = sorted(s for s, good in per_size.items() if good and s > span + 1)
        return {"generalisation": span, "accepted_beyond": beyond, "scanned_to": scanned_to,
                "tested_up_to": self.max_size}

@EVALUATIONS.register("bin_accuracy")
@dataclass
class BinAccuracy:
    """Bhattamishra, Ahuja & Goyal (2020)'s test: per length bin (the training lengths, then
    each longer bin of the task), the fraction of `strings_per_bin` fresh test strings the
    network gets right at every step (the task's `correct`).

    The test strings come from one generator seeded with `seed`, so every trial and every
    model of a language is tested on the same strings. Reports per trial the bins, and per
    bin the test size, the number correct and the fraction correct.
    """

    strings_per_bin: int = 500
    seed: int = 2009
    batch_size: int = 250

    def __call__(self, model, task) -> list[dict]:
        rng = np.random.default_rng(self.seed)
        correct = []
        for bin_ in task.bins:
            sequences = [task.sample_in(rng, bin_) for _ in range(self.strings_per_bin)]
            ok, _ = evaluate_on(model, task, sequences, batch_size=self.batch_size)
            correct.append(ok.sum(-1))  # [K]
        return [{"bins": [list(b) for b in task.bins], "bin_size": [self.strings_per_bin] * len(correct),
                 "bin_correct": [int(c[k]) for c in correct],
                 "bin_accuracy": [float(c[k]) / self.strings_per_bin for c in correct]}
                for k in range(model.trials)]

