# %% [markdown]
# # Explore: what a linear probe reads from word vectors, beside its controls
#
# This notebook is executed by the pipeline (`snakemake mikolov2013`) and shown on the site as
# executed; re-run it with Jupyter from the repository root. It reads the paper profile's
# results where they are committed, otherwise those of the profile the pipeline ran. For each
# grammatical feature, a logistic-regression probe is trained on the word vectors of one set
# of words and tested on others; the same is done with the controls: random labels per word
# (the *control task*), random vectors, the word's ending, and its frequency.

# %%
import numpy as np

from reproductions.reporting.figures import explore_run, new_figure, show

SHOWN = ["majority", "probe", "control", "random_vectors", "ending", "frequency"]
LABELS = {"majority": "majority class", "probe": "probe on the vectors", "control": "control task",
          "random_vectors": "random vectors", "ending": "word ending", "frequency": "frequency"}
runs = {language: run for language in ("english", "russian")
        if (run := explore_run("mikolov2013", language)) is not None}


def mean_scores(trials: list[dict]) -> dict[str, dict[str, float]]:
    """Per feature, each measure's mean test accuracy over the trials."""
    scores = {}
    for feature in trials[0]["features"]:
        scores[feature] = {}
        for key in SHOWN + ["selectivity", "analogy"]:
            values = [t["features"][feature].get(key) for t in trials]
            values = [v for v in values if v is not None]  # e.g. no analogy questions for a feature
            if values:
                scores[feature][key] = float(np.mean(values))
    return scores


for language, (profile, results, config) in runs.items():
    print(f"{language} ({profile} profile, {len(results['trials'])} trials, {results['trials'][0]['embedding']})")
    print(f"  {'feature':22}" + "".join(f"{key[:10]:>11}" for key in SHOWN + ["selectivity", "analogy"]))
    for feature, scores in mean_scores(results["trials"]).items():
        print(f"  {feature:22}" + "".join(f"{scores[key]:11.3f}" if key in scores else f"{'—':>11}"
                                           for key in SHOWN + ["selectivity", "analogy"]))

# %% [markdown]
# ## The probe beside its controls
# Test accuracy per feature, averaged over trials. A feature is read from the vectors, beyond
# what the word's spelling or frequency give away, only where the probe's bar stands above the
# controls' bars, the ending's in particular.

# %%
fig, axes = new_figure(len(runs), 1, figsize=(9, 3.4 * len(runs) + 0.5), squeeze=False)
for ax, (language, (profile, results, _)) in zip(axes[:, 0], runs.items()):
    scores = mean_scores(results["trials"])
    features = list(scores)
    width = 0.8 / len(SHOWN)
    for i, key in enumerate(SHOWN):
        ax.bar(np.arange(len(features)) + (i - len(SHOWN) / 2 + 0.5) * width,
               [scores[f].get(key, np.nan) for f in features], width, label=LABELS[key])
    ax.set_xticks(range(len(features)), [f.replace("_", " ") for f in features], rotation=20, ha="right")
    ax.set_ylim(0, 1)
    ax.set_ylabel("test accuracy")
    ax.set_title(f"{language.capitalize()} ({profile} profile)")
handles, labels = axes[0, 0].get_legend_handles_labels()
fig.legend(handles, labels, ncol=len(SHOWN), fontsize=7, loc="lower center")
fig.tight_layout(rect=(0, 0.05, 1, 1))
show(fig)
