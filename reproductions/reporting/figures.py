"""Figure helpers: one look for every page, and trained networks from results."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch

from ..atomic import write_bytes_atomic
from ..models import build_model
from ..runner import load_results
from ..tasks import build_task

# Figures have a light background; the site puts them on a light card in dark mode.
# Saved at twice the resolution they are shown at (reporting.report.figure_markdown).
STYLE = {"figure.dpi": 110, "savefig.dpi": 220, "font.size": 9, "axes.spines.top": False,
         "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3}


def new_figure(*args, **kwargs):
    plt.rcParams.update(STYLE)
    return plt.subplots(*args, **kwargs)


def save(fig, path: Path) -> None:
    """The figure as a PNG, written whole or not at all."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
    plt.close(fig)
    write_bytes_atomic(buffer.getvalue(), path)


def trained_networks(experiment: dict, results: dict, trials: list[int]):
    """An ensemble holding the trained weights of `trials` (and the task)."""
    task = build_task(experiment["task"]["name"], experiment["task"]["params"])
    model = experiment["model"]
    network = build_model(model["name"], model["params"], task.input_size, task.output_size, len(trials))
    weights = torch.load(results["weights_path"], weights_only=True)
    for k, trial in enumerate(trials):
        network.load_trial_state(k, weights[trial])
    return network, task


def best_trial(trials: list[dict]) -> dict:
    """The best trial, one definition for every figure and notebook: among the trials that
    met their criterion, the one that generalises furthest (where trials record a range) or
    else learned in the fewest sequences, ties to the lowest trial index; trial 0's record
    if none did."""
    solved = [t for t in trials if t["solved"]]
    if not solved:
        return min(trials, key=lambda t: t["trial"])
    if all("generalisation" in t for t in solved):
        return max(solved, key=lambda t: (t["generalisation"], -t["trial"]))
    return min(solved, key=lambda t: (t["sequences"], t["trial"]))


def anbn_cell_states(network, task, n: int, title: str):
    """The cell states of a one-trial network reading a^n b^n (Gers 2001, Weiss 2018): a
    counting cell moves by a nearly constant step for each a and back for each b. Returns
    the figure."""
    from reproductions.tasks import collate

    batch = collate([task.encode(n)])
    with torch.no_grad():
        _, record = network.run(torch.as_tensor(batch.inputs)[None], record=True)
    states = record["s"][0, 0].numpy()  # [steps, cells]
    fig, ax = new_figure(figsize=(7, 2.8))
    for cell in range(states.shape[1]):
        ax.plot(states[:, cell], label=f"cell {cell + 1}")
    ax.axvline(n + 0.5, color="grey", lw=0.8, ls="--")
    ax.set_xlabel(f"step (S, then {n} a's, then {n} b's)")
    ax.set_ylabel("cell state s")
    ax.set_title(title)
    ax.legend()
    return fig


def load_run(profile: str, paper: str, experiment: str, **kwargs) -> tuple[dict, dict] | None:
    """A gathered result and the experiment config it ran with (its provenance, not today's
    experiments.yaml), or None if it has not run."""
    results = load_results(profile, paper, experiment, **kwargs)
    if results is None:
        return None
    return results, results["provenance"]["config"]


def explore_run(paper: str, experiment: str, profile: str | None = None) -> tuple[str, dict, dict] | None:
    """For an explore notebook: (profile, results, config they ran with) of one experiment, from
    the paper profile where its results are committed, else from the profile the pipeline runs
    (REPRODUCTIONS_PROFILE, set by the notebook rule); None if neither has run."""
    import os

    for name in ("paper", profile or os.environ.get("REPRODUCTIONS_PROFILE", "default")):
        run = load_run(name, paper, experiment)
        if run is not None:
            return (name, *run)
    return None


def show(fig) -> None:
    """In a notebook: show the figure as a PNG output, drawn at twice the size it is shown
    at (the pipeline executes notebooks with matplotlib's Agg backend, which shows nothing)."""
    from IPython.display import Image, display

    buffer = io.BytesIO()
    dpi = STYLE["savefig.dpi"]
    fig.savefig(buffer, format="png", bbox_inches="tight", facecolor="white", dpi=dpi)
    width = int(fig.get_size_inches()[0] * dpi / 2)
    plt.close(fig)
    display(Image(data=buffer.getvalue(), width=width))
