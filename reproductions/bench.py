"""`make bench`: training throughput of the ensemble trainer against torch.nn.LSTM.

Two of the papers' networks, measured in one run, one thread:

* the 1997 adding problem (Exp. 4, T = 100): 2 blocks of 2 cells, 93 weights;
* a^n b^n (n = 1..10) with the Gers 2001 network of the default profile.

For each, three ways to train the same on-line protocol (one sequence, then one
weight update):

* `torch.nn.LSTM` with the same number of cells, trials one after another in a
  plain loop (forward, loss on the steps with error, backward, SGD step);
* the ensemble trainer on its eager torch path, K trials as one batched model;
* the ensemble trainer on its fused path (the default where it applies).

Rates are trial-steps per second: time steps of training sequences processed
per second, summed over the networks being trained (nn.LSTM trains one network
at a time). A speedup is the ratio of two rates: how much sooner the same set of
trials is trained. The last line is `ensemble speedup at K=64: <ratio>x` (a^n
b^n, the trainer as the pipeline runs it).
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
    """Trial-steps per second of torch.nn.LSTM trained on-line, one trial at a time."""
    task = build_task(experiment["task"]["name"], experiment["task"]["params"])
    params = experiment["model"]["params"]
    hidden = params["blocks"] * params["cells_per_block"]
    steps = 0
    started = None
    # trial -1 is an untimed warm-up (torch's first calls allocate and dispatch lazily)
    for trial in range(-1, trials):
        if trial == 0:
            steps, started = 0, time.perf_counter()
        torch.manual_seed(trial + 1)
        lstm = torch.nn.LSTM(task.input_size, hidden, batch_first=True).double()
        readout = torch.nn.Linear(hidden, task.output_size).double()
        weights = list(lstm.parameters()) + list(readout.parameters())
        optimiser = torch.optim.SGD(weights, lr=float(np.atleast_1d(experiment["train"]["learning_rate"])[0]),
                                    momentum=experiment["train"]["momentum"])
        rng = np.random.default_rng(trial + 1)
        for _ in range(sequences if trial >= 0 else 2):
            sequence = task.sample(rng)
            x = torch.as_tensor(sequence.inputs)[None]
            d = torch.as_tensor(sequence.targets)[None]
            given = torch.as_tensor(sequence.error_mask)[None, :, None]
            optimiser.zero_grad()
            y = torch.sigmoid(readout(lstm(x)[0]))
            loss = 0.5 * (given * (y - d) ** 2).sum()
            loss.backward()
            optimiser.step()
            steps += sequence.length
    return steps / (time.perf_counter() - started)


def ensemble_rate(experiment: dict, trials: int, sequences: int, fused: bool, steps_per_sequence: float) -> float:
    """Trial-steps per second of the ensemble trainer (no trial stops early)."""
    # a learning rate too small to solve keeps all K trials training for the whole budget
    exp = deep_merge(experiment, {"train": {"fused": fused, "max_sequences": sequences, "learning_rate": 1e-9}})
    trainer = EnsembleTrainer(exp, list(range(trials)), progress=False)
    if fused:  # compile (or load the compiled kernel) outside the timed run
        EnsembleTrainer(deep_merge(exp, {"train": {"max_sequences": 2}}), [0], progress=False).run()
    started = time.perf_counter()
    trainer.run()
    return trials * sequences * steps_per_sequence / (time.perf_counter() - started)


def compare(experiment: dict, trials: int, nn_sequences: int, eager_sequences: int, fused_sequences: int):
    task = build_task(experiment["task"]["name"], experiment["task"]["params"])
    length = task.mean_length(2000)
    baseline = nn_lstm_rate(experiment, trials=2, sequences=nn_sequences)
    eager = ensemble_rate(experiment, trials, eager_sequences, fused=False, steps_per_sequence=length)
    fused = ensemble_rate(experiment, trials, fused_sequences, fused=True, steps_per_sequence=length)
    print(f"torch.nn.LSTM, one trial at a time:   {baseline:12,.0f} trial-steps/s  ({1e6 / baseline:.2f} µs/step)")
    print(f"ensemble, eager torch path, K={trials}:  {eager:12,.0f} trial-steps/s  ({eager / baseline:.1f}x)")
    print(f"ensemble, fused path, K={trials}:        {fused:12,.0f} trial-steps/s  ({fused / baseline:.1f}x, "
          f"{1e6 / fused:.3f} µs/trial-step)")
    return baseline, eager, fused


def transformer_rate(experiment: dict, trials: int, updates: int, steps_per_sequence: float) -> float:
    """Trial-steps per CPU second of the Transformer ensemble (eager path, mini-batches, Adam).

    CPU time of this process (one thread), not wall time: on a machine shared with other
    jobs a wall clock measures the other jobs too, and this comparison is of work done."""
    sequences = updates * experiment["train"]["batch_size"]
    exp = deep_merge(experiment, {"train": {"max_sequences": sequences, "stopping": {
        "name": "fixed_budget", "params": {"sequences": sequences, "every": sequences}}}})
    EnsembleTrainer(exp, [0], progress=False).run()  # untimed warm-up
    started = time.process_time()
    EnsembleTrainer(exp, list(range(trials)), progress=False).run()
    return trials * sequences * steps_per_sequence / (time.process_time() - started)


def compare_transformer(trials: int, updates: int) -> None:
    """Bhattamishra et al. 2020's Transformer on Dyck-1: K trials as one ensemble against
    the same trainer with one trial at a time (each run also tests its trials on the 200
    training strings the stopping rule keeps, as the pipeline does)."""
    dyck = load_experiments(PACKAGE / "bhattamishra2020", "default")["dyck1_transformer"]
    params = dyck["model"]["params"]
    length = build_task(dyck["task"]["name"], dyck["task"]["params"]).mean_length(2000)
    print(f"task: Dyck-1, lengths 2-50 (Bhattamishra et al. 2020); network: causal Transformer, {params['layers']} "
          f"layer, d_model {params['d_model']}; Adam, batches of {dyck['train']['batch_size']}; {updates} updates; "
          "one thread, CPU time")
    single = transformer_rate(dyck, 1, updates, length)
    ensemble = transformer_rate(dyck, trials, updates, length)
    print(f"Transformer, one trial at a time:        {single:12,.0f} trial-steps/s  ({1e6 / single:.2f} µs/trial-step)")
    print(f"Transformer ensemble, K={trials}:          {ensemble:12,.0f} trial-steps/s  ({ensemble / single:.1f}x)")
    print(f"transformer ensemble speedup at K={trials}: {ensemble / single:.1f}x")
    print()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="fewer sequences (for tests)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    scale = 1 if args.quick else 10

    adding = load_experiments(PACKAGE / "hochreiter1997", "default")["exp4_adding_t100"]
    print("task: adding problem, T = 100 (Hochreiter & Schmidhuber 1997, Exp. 4); "
          "network: 1997 LSTM, 2 blocks of 2 cells; one thread")
    baseline, _, fused = compare(adding, args.trials, nn_sequences=10 * scale,
                                 eager_sequences=2 * scale, fused_sequences=20 * scale)
    print(f"fused speedup vs nn.LSTM (adding, T=100): {fused / baseline:.1f}x")
    print()

    compare_transformer(args.trials, updates=2 * scale)

    anbn = load_experiments(PACKAGE / "gers2001", "default")["anbn"]
    params = anbn["model"]["params"]
    print(f"task: a^n b^n, n = 1..10 (Gers & Schmidhuber 2001); network: {anbn['model']['name']} "
          f"{params['blocks']}x{params['cells_per_block']}; one thread")
    baseline, eager, fused = compare(anbn, args.trials, nn_sequences=100 * scale,
                                     eager_sequences=20 * scale, fused_sequences=200 * scale)
    print(f"eager ensemble speedup at K={args.trials}: {eager / baseline:.1f}x")
    print(f"ensemble speedup at K={args.trials}: {fused / baseline:.1f}x")


if __name__ == "__main__":
    main()
