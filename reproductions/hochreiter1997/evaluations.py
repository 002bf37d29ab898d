"""The evaluation of Hochreiter & Schmidhuber 1997 alone: the post-training test on
held-out sequences, registered when the paper's package is loaded."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..training.evaluation import EVALUATIONS
from ..training.stopping import evaluate_on


@EVALUATIONS.register("held_out_test")
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
