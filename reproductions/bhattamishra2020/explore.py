# %% [markdown]
# # Explore: accuracy per length bin, for every language and model
#
# This notebook is executed by the pipeline (`snakemake bhattamishra2020`) and shown on the
# site as executed; re-run it with Jupyter from the repository root. It reads the paper
# profile's results where they are committed, otherwise those of the profile the pipeline ran
# (this review's paper profile has not run yet). Each network is trained on strings of the
# first length bin and tested on strings of every bin; a test string counts as right only if
# the network's output is right at every step. The accuracies below pool the test strings of
# all trials of a row.

# %%
import numpy as np

from reproductions.config import read_yaml
from reproductions.reporting.figures import explore_run, new_figure, show

experiments = list(read_yaml("reproductions/bhattamishra2020/experiments.yaml"))
runs = {name: run for name in experiments if (run := explore_run("bhattamishra2020", name)) is not None}


def pooled_accuracy(trials: list[dict]) -> np.ndarray:
    """Per bin: the test strings right, over all trials, as a percentage of those tested."""
    correct = np.sum([t["bin_correct"] for t in trials], axis=0)
    size = np.sum([t["bin_size"] for t in trials], axis=0)
    return 100 * correct / np.maximum(size, 1)


print(f"{len(runs)} of {len(experiments)} experiments have results")
for name, (profile, results, _) in runs.items():
    trials = results["trials"]
    bins = ", ".join(f"{low}–{high}" for low, high in trials[0]["bins"])
    accuracy = "  ".join(f"{a:5.1f}" for a in pooled_accuracy(trials))
    print(f"{name:30} {profile:8} {len(trials):2d} trials  bins {bins}:  {accuracy}")

# %% [markdown]
# ## The same as a map
# One row per experiment, one column per length bin (the first is the training range); the
# darker a cell, the more test strings the networks got right.

# %%
rows = list(runs)
accuracy = np.array([pooled_accuracy(runs[name][1]["trials"]) for name in rows])
fig, ax = new_figure(figsize=(6.5, 0.22 * len(rows) + 1.2))
image = ax.imshow(accuracy, aspect="auto", cmap="Blues", vmin=0, vmax=100)
for (row, column), value in np.ndenumerate(accuracy):
    ax.text(column, row, f"{value:.0f}", ha="center", va="center", fontsize=6.5,
            color="white" if value > 60 else "black")
first = runs[rows[0]][1]["trials"][0]["bins"]
ax.set_xticks(range(len(first)), [f"bin {i + 1}\n(lengths {low}–{high})" for i, (low, high) in enumerate(first)])
titles = [runs[name][2].get("title", name) for name in rows]
ax.set_yticks(range(len(rows)), [t if len(t) <= 60 else t[:58] + "…" for t in titles], fontsize=6.5)
ax.grid(False)
fig.colorbar(image, ax=ax, label="% of test strings right")
show(fig)
