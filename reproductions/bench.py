"""`make bench`: training throughput of the ensemble trainer against torch.nn.LSTM.

Task: a^n b^n (n = 1..10) with the Gers 2001 network of the default profile.
Measured in one run, one thread:

* `torch.nn.LSTM`, trials one after another in a plain loop (forward, loss,
  backward, SGD-with-momentum step per sequence);
* the ensemble trainer on its eager torch path, K trials as one batched model;
* the ensemble trainer on its fused path (the default where it applies).

Rates are network-sequences per second: training sequences processed per
second, summed over the networks being trained (for nn.LSTM: one network at a
time). The speedup is the ratio of those rates: how much sooner the same set of
trials is trained.
The last line is `ensemble speedup at K=64: <ratio>x` for the trainer as the
pipeline runs it.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from .config import PACKAGE, deep_merge, load_experiments
from .tasks import build_task
from .training.trainer import EnsembleTrainer


def nn_lstm_rate(experiment: dict, trials: int, sequences: int) -> float:
    """Sequences per second of torch.nn.LSTM trained on-line, one trial at a time."""
    task = build_task(experiment["task"]["name"], experiment["task"]["params"])
    params = experiment["model"]["params"]
    hidden = params["blocks"] * params["cells_per_block"]
    started = time.perf_counter()
    for trial in range(trials):
        torch.manual_seed(trial)
        lstm = torch.nn.LSTM(task.input_size, hidden, batch_first=True).double()
        readout = torch.nn.Linear(hidden, task.output_size).double()
        weights = list(lstm.parameters()) + list(readout.parameters())
        optimiser = torch.optim.SGD(weights, lr=float(np.atleast_1d(experiment["train"]["learning_rate"])[0]),
                                    momentum=experiment["train"]["momentum"])
        rng = np.random.default_rng(trial)
        for _ in range(sequences):
            sequence = task.sample(rng)
            x = torch.as_tensor(sequence.inputs)[None]
            d = torch.as_tensor(sequence.targets)[None]
            optimiser.zero_grad()
            y = torch.sigmoid(readout(lstm(x)[0]))
            loss = 0.5 * ((y - d) ** 2).sum()
            loss.backward()
            optimiser.step()
    return trials * sequences / (time.perf_counter() - started)


def ensemble_rate(experiment: dict, trials: int, sequences: int, fused: bool) -> float:
    """Network-sequences per second of the ensemble trainer (no trial stops early)."""
    # a learning rate too small to solve keeps all K trials training for the whole budget
    exp = deep_merge(experiment, {"train": {"fused": fused, "max_sequences": sequences, "learning_rate": 1e-9}})
    trainer = EnsembleTrainer(exp, list(range(trials)), progress=False)
    if fused:  # compile (or load the compiled kernel) outside the timed run
        EnsembleTrainer(deep_merge(exp, {"train": {"max_sequences": 2}}), [0], progress=False).run()
    started = time.perf_counter()
    trainer.run()
    return trials * sequences / (time.perf_counter() - started)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="fewer sequences (for tests)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    experiment = load_experiments(PACKAGE / "gers2001", "default")["anbn"]
    scale = 1 if args.quick else 10
    baseline = nn_lstm_rate(experiment, trials=2, sequences=100 * scale)
    eager = ensemble_rate(experiment, args.trials, sequences=20 * scale, fused=False)
    fused = ensemble_rate(experiment, args.trials, sequences=200 * scale, fused=True)
    print(f"task: a^n b^n, n = 1..10; network: {experiment['model']['name']} "
          f"{experiment['model']['params']['blocks']}x{experiment['model']['params']['cells_per_block']}; one thread")
    print(f"torch.nn.LSTM, one trial at a time:   {baseline:10,.0f} network-sequences/s")
    print(f"ensemble, eager torch path, K={args.trials}:  {eager:10,.0f} network-sequences/s  ({eager / baseline:.1f}x)")
    print(f"ensemble, fused path, K={args.trials}:        {fused:10,.0f} network-sequences/s  ({fused / baseline:.1f}x)")
    print(f"eager ensemble speedup at K={args.trials}: {eager / baseline:.1f}x")
    print(f"ensemble speedup at K={args.trials}: {fused / baseline:.1f}x")


if __name__ == "__main__":
    main()
