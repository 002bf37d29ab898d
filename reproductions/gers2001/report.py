"""Gers & Schmidhuber 2001 figures: the counter inside a trained LSTM, and how far
each trial generalises."""

from __future__ import annotations

import numpy as np
import torch

from ..reporting.figures import new_figure, save, trained_networks
from ..tasks import collate


def acceptance_map(ctx, name: str) -> list[tuple[str, str]]:
    """Trials x n: accepted (dark) or not; rows sorted by learning rate, then range."""
    profile = ctx.best_profile(name)
    if profile is None:
        return []
    trials = ctx.results[profile][name]["trials"]
    tested = trials[0]["tested_up_to"]
    rows = sorted(trials, key=lambda t: (t["learning_rate"], t["solved"], t["generalisation"]))
    grid = np.zeros((len(rows), tested))
    for i, t in enumerate(rows):
        if t["solved"]:
            grid[i, : t["generalisation"]] = 1.0
            for n in t["accepted_beyond"]:
                grid[i, n - 1] = 1.0
    fig, ax = new_figure(figsize=(6.4, 0.9 + 0.14 * len(rows)))
    ax.imshow(grid, aspect="auto", cmap="Blues", vmin=0, vmax=1.25, interpolation="nearest",
              extent=(0.5, tested + 0.5, len(rows) - 0.5, -0.5))
    ax.axvline(10.5, color="#c0392b", lw=1, ls="--")
    rates = sorted({t["learning_rate"] for t in rows})
    if len(rates) > 1:
        for rate in rates[1:]:
            first = next(i for i, t in enumerate(rows) if t["learning_rate"] == rate)
            ax.axhline(first - 0.5, color="black", lw=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{t['trial']} (lr {t['learning_rate']:g})" if len(rates) > 1 else str(t["trial"])
                        for t in rows], fontsize=6)
    ax.set_xlabel("n (dashed line: largest training n = 10)")
    ax.set_ylabel("trial")
    ax.grid(False)
    filename = f"{name}-acceptance.png"
    save(fig, ctx.out_dir / filename)
    solved = sum(t["solved"] for t in trials)
    title = ctx.experiments[name]["title"] if name in ctx.experiments else name
    return [(filename, f"{title}: which n each trial accepts (dark = accepted; rows of trials that did not learn "
                       f"the training set are empty). {solved}/{len(trials)} learned; {profile} profile, "
                       f"{len(trials)} trials, tested up to n = {tested}.")]


def figures(ctx) -> list[tuple[str, str]]:
    made = []
    profile = ctx.best_profile("anbn")
    if profile is None:
        return made
    results = ctx.results[profile]["anbn"]
    experiment = ctx.experiments["anbn"] if profile == ctx.profiles[0] else results["provenance"]["config"]
    trials = results["trials"]
    n_label = f"{profile} profile, {len(trials)} trials"

    # which n each trial accepts: the unbroken range from 1, and islands beyond it
    for name in ("anbn", "anbn_lr_sweep"):
        made += acceptance_map(ctx, name)

    train_max = experiment["task"]["params"]["train_n"][1]
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
    bottom.set_xlabel(f"step in $S\\,a^{{{n}}} b^{{{n}}}$ (dotted line: first $b$)")
    bottom.legend(frameon=False, fontsize=8)
    save(fig, ctx.out_dir / "anbn-counter.png")
    status = (f"learned the training set after {chosen['sequences']:,} sequences, generalises to n ≤ {chosen['generalisation']}"
              if chosen["solved"] else "no trial learned the training set; trial shown untrained to criterion")
    made.append(("anbn-counter.png",
                 f"Inside one network on $a^{{{n}}} b^{{{n}}}$: trial {chosen['trial']} ({status}); {n_label}."))
    return made
