"""Gers & Schmidhuber 2001 figures: the counter inside a trained LSTM, and how far
each trial generalises."""

from __future__ import annotations

import numpy as np
import torch

from ..reporting.figures import new_figure, save, trained_networks
from ..tasks import collate


def figures(ctx) -> list[tuple[str, str]]:
    made = []
    profile = ctx.best_profile("anbn")
    if profile is None:
        return made
    results = ctx.results[profile]["anbn"]
    experiment = ctx.experiments["anbn"] if profile == ctx.profiles[0] else results["provenance"]["config"]
    trials = results["trials"]
    n_label = f"{profile} profile, {len(trials)} trials"

    # generalisation range of every trial, sorted
    fig, ax = new_figure(figsize=(6, 2.6))
    ranges = sorted(((t["generalisation"] if t["solved"] else 0) for t in trials), reverse=True)
    ax.bar(range(len(ranges)), ranges, color="#3b6ea8")
    train_max = experiment["task"]["params"]["train_n"][1]
    ax.axhline(train_max, color="#c0392b", lw=1, ls="--", label=f"largest training n = {train_max}")
    ax.set_xlabel("trial (sorted)")
    ax.set_ylabel("accepted for all n ≤")
    ax.legend(loc="upper right", frameon=False)
    save(fig, ctx.out_dir / "anbn-generalisation.png")
    made.append(("anbn-generalisation.png",
                 f"a^n b^n: generalisation range per trial (0 = did not learn the training set); {n_label}."))

    # the counter: cell state and gates of the best trial on a string longer than any training string
    solved = [t for t in trials if t["solved"]]
    chosen = max(solved, key=lambda t: (t["generalisation"], -t["trial"])) if solved else trials[0]
    network, task = trained_networks(experiment, results, [chosen["trial"]])
    n = max(3 * train_max, min(chosen.get("generalisation", 0), 60))
    batch = collate([task.encode(n)])
    inputs = torch.as_tensor(batch.inputs, dtype=network.dtype)[None]
    with torch.no_grad():
        outputs, states = network.run(inputs, record=True)
    steps = np.arange(batch.inputs.shape[1])
    fig, (top, bottom) = new_figure(2, 1, figsize=(6.4, 4.2), sharex=True)
    for c in range(states["s"].shape[-1]):
        top.plot(steps, states["s"][0, 0, :, c].numpy(), label=f"cell state s{c + 1}")
    top.axvline(n + 0.5, color="grey", lw=0.8, ls=":")
    top.set_ylabel("cell state")
    top.legend(frameon=False, fontsize=8)
    for key, label in (("y_in", "input gate"), ("y_phi", "forget gate"), ("y_out", "output gate")):
        if key in states:
            bottom.plot(steps, states[key][0, 0, :, 0].numpy(), label=label)
    bottom.set_ylabel("gate activation")
    bottom.set_xlabel(f"step in S a^{n} b^{n} (dotted line: first b)")
    bottom.legend(frameon=False, fontsize=8)
    save(fig, ctx.out_dir / "anbn-counter.png")
    status = (f"learned the training set after {chosen['sequences']:,} sequences, generalises to n ≤ {chosen['generalisation']}"
              if chosen["solved"] else "no trial learned the training set; trial shown untrained to criterion")
    made.append(("anbn-counter.png",
                 f"Inside one network on a^{n} b^{n}: trial {chosen['trial']} ({status}); {n_label}."))
    return made
