# %% [markdown]
# # Explore: which of our networks count
#
# This notebook is executed by the pipeline (`snakemake weiss2018`) and shown on the site as
# executed; re-run it with Jupyter from the repository root. It reads the paper profile's
# results where they are committed, otherwise those of the profile the pipeline ran. Each
# network was trained on short strings ($n \le 10$) and then tested on longer ones; its
# *generalisation range* is the largest $N$ such that every string with $n \le N$ is accepted.

# %%
import numpy as np

from reproductions.reporting.figures import anbn_cell_states, best_trial, explore_run, new_figure, show, trained_networks

MODELS = ["lstm", "lstm_adam", "gru", "srn_tanh", "srn_relu", "transformer"]
LANGUAGES = {"anbn": "$a^n b^n$", "anbncn": "$a^n b^n c^n$"}
runs = {}
for model in MODELS:
    for language in LANGUAGES:
        run = explore_run("weiss2018", f"{model}_{language}")
        if run is not None:
            runs[model, language] = run

print(f"{'experiment':28} {'profile':8} {'trials':>6} {'median N':>9} {'best N':>7}")
for (model, language), (profile, results, config) in runs.items():
    ranges = [t["generalisation"] for t in results["trials"]]
    print(f"{model + '_' + language:28} {profile:8} {len(ranges):6d} {np.median(ranges):9.1f} {max(ranges):7d}")

# %% [markdown]
# ## Generalisation range per trial
# One dot per trial, for each model and language; the horizontal axis is logarithmic, since
# the counting networks reach ranges many times those of the others.

# %%
names = [m for m in MODELS if any((m, language) in runs for language in LANGUAGES)]
fig, axes = new_figure(1, len(LANGUAGES), figsize=(9, 3.2), sharey=True)
for ax, (language, label) in zip(axes, LANGUAGES.items()):
    for row, model in enumerate(names):
        if (model, language) not in runs:
            continue
        ranges = np.array([t["generalisation"] for t in runs[model, language][1]["trials"]])
        jitter = np.random.default_rng(row).uniform(-0.15, 0.15, len(ranges))
        ax.scatter(ranges, row + jitter, s=12, alpha=0.7)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlabel("generalisation range N (0, then logarithmic)")
    ax.set_title(label)
titles = {m: next(run[2]["title"] for (model, _), run in runs.items() if model == m) for m in names}
axes[0].set_yticks(range(len(names)), [titles[m].split(" on ")[0] for m in names])
show(fig)

# %% [markdown]
# ## Inside the best LSTM on $a^n b^n$
# A network that counts keeps a cell state that moves by a constant step for each $a$ and
# back for each $b$. Here are the cell states of the best trial (the one that generalises
# furthest) on a string beyond its training range.

# %%
profile, results, config = runs["lstm", "anbn"]
best = best_trial(results["trials"])
network, task = trained_networks(config, results, [best["trial"]])
n = max(12, min(best["generalisation"], 40))
title = f"trial {best['trial']} ({profile} profile), generalises to n = {best['generalisation']}"
show(anbn_cell_states(network, task, n, title))
