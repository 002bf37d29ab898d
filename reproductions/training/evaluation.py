"""Tests run on trained networks after training, by name."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..tasks import collate
from .metrics import generalisation_range
from .stopping import stack_for_trials


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


EVALUATIONS = {"generalisation": Generalisation}


def build_evaluation(name: str, params: dict):
    if name not in EVALUATIONS:
        raise KeyError(f"unknown evaluation {name!r}; registered: {sorted(EVALUATIONS)}")
    return EVALUATIONS[name](**params)


@dataclass
class HeldOutTest:
    """The 1997 paper's post-training test (Exps. 1, 3-6): every trained
    network on a held-out set, after it stopped.

    With `use_task_test_set` the task's own test set (Exp. 1's 256 strings);
    otherwise `size` fresh sequences from a generator seeded with `seed` (2,560
    in Exps. 3-6; 10,000 in 2b/2c). Reports per trial the number and fraction
    of test sequences that fail the task's test, the mean absolute error and
    the mean squared error at the sequence ends.
    """

    size: int = 2560
    seed: int = 2560
    use_task_test_set: bool = False

    def __call__(self, model, task) -> list[dict]:
        from .stopping import evaluate_on

        if self.use_task_test_set:
            sequences = task.test_set()
        else:
            rng = np.random.default_rng(self.seed)
            sequences = [task.test_sample(rng) for _ in range(self.size)]
        ok, errors = evaluate_on(model, task, sequences, batch_size=256)
        return [{"test_size": len(sequences), "test_wrong": int((~ok[k]).sum()),
                 "test_fraction_wrong": float((~ok[k]).mean()),
                 "test_mean_abs_error": float(errors[k].mean()),
                 "test_mse": float((errors[k] ** 2).mean())} for k in range(model.trials)]


EVALUATIONS["held_out_test"] = HeldOutTest


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
            # as many sizes as fit the step budget, at least one
            sizes, strings, owner, steps = [], [], [], 0
            while size <= self.max_size:
                batch = task.strings_up_to(size)
                cost = len(active) * sum(s.length for s in batch)
                if sizes and steps + cost > self.max_batch_steps:
                    break
                sizes.append(size)
                strings += batch
                owner += [size] * len(batch)
                steps += cost
                size += 1
                if len(sizes) >= max(1, self.patience):
                    break
            sub = model
            if len(active) < K:
                sub = copy.deepcopy(model)
                sub.select(torch.as_tensor(active))
            outputs, targets, mask = ensemble_outputs(sub, strings)
            ok = np.asarray(task.correct(outputs, targets, mask))  # [active, strings]
            owner_arr = np.array(owner)
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
            active = np.array(keep, dtype=int)
        results = []
        for k, per_size in enumerate(accepted):
            span = generalisation_range(per_size)
            beyond = sorted(s for s, good in per_size.items() if good and s > span + 1)
            results.append({"generalisation": span, "accepted_beyond": beyond,
                            "scanned_to": int(scanned[k]), "tested_up_to": self.max_size})
        return results


EVALUATIONS["generalisation_scan"] = GeneralisationScan


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
        from .stopping import evaluate_on

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


EVALUATIONS["bin_accuracy"] = BinAccuracy
