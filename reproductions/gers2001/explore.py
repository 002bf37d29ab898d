# %% [markdown]
# # Explore: $a^n b^n$ networks from the pipeline
#
# This notebook is executed by the pipeline (`snakemake gers2001`) on the paper
# profile's results where they are committed, otherwise on those of the profile that was
# run; the site shows it as executed. Re-run it yourself with Jupyter from the repository
# root. The network predicts, after each symbol, the set
# of legal next symbols; a string is accepted when every output thresholded at $0.5$
# matches that set. A network that counts keeps a cell state $s(t)$ that rises by a
# constant step for each $a$ and falls for each $b$, so that $s$ returns to its start
# value exactly when the $n$-th $b$ arrives.

# %%
import numpy as np
import torch

from reproductions.reporting.figures import anbn_cell_states, best_trial, explore_run, show, trained_networks
from reproductions.tasks import collate

profile, results, experiment = explore_run("gers2001", "anbn")  # with the config it ran with
trials = results["trials"]
print(f"profile {profile}: {len(trials)} trials, {sum(t['solved'] for t in trials)} learned the training set")

# %% [markdown]
# ## Every trial
# Sequences until the training set was accepted, and the generalisation range
# (the largest $N$ such that every $a^n b^n$ with $n \le N$ is accepted).

# %%
for t in trials:
    print(f"trial {t['trial']:3d}  learned={t['solved']!s:5}  sequences={t['sequences']:7,d}  "
          f"generalises to n <= {t['generalisation']:4d}  also accepts {t['accepted_beyond'][:8]}")

# %% [markdown]
# ## Where the best network fails
# We feed the best trial strings of growing $n$ and print the first step where a
# thresholded output disagrees with the legal-next-symbol set.

# %%
best = best_trial(trials)  # the site's one definition of the best trial
network, task = trained_networks(experiment, results, [best["trial"]])
for n in [10, best["generalisation"], best["generalisation"] + 1]:
    if n < 1:
        continue
    batch = collate([task.encode(n)])
    x = torch.as_tensor(batch.inputs)[None]
    with torch.no_grad():
        y = network(x)[0, 0].numpy()
    wrong = np.flatnonzero(((y > 0.5) != (batch.targets[0] > 0.5)).any(-1))
    print(f"n={n}: " + ("accepted" if len(wrong) == 0 else f"first wrong prediction at step {wrong[0]} of {len(y)}"))

# %% [markdown]
# ## The counter inside
# The cell states of the best trial on the longest string it still accepts: a counting cell
# moves by a nearly constant step one way for each $a$ and back for each $b$, so that it is
# near its start value again when the last $b$ arrives.

# %%
n = max(10, min(best["generalisation"], 60))
title = f"trial {best['trial']} ({profile} profile), generalises to n = {best['generalisation']}"
show(anbn_cell_states(network, task, n, title))
