"""Mikolov, Yih & Zweig 2013 figures and snippets: probe accuracy against its controls for
every feature, and the numbers behind the open question on TAM and phi features."""

from __future__ import annotations

import numpy as np

from ..reporting.figures import new_figure, save
from ..reporting.probes import feature_values, interval_text, mean_text
from ..reporting.report import markdown_table, profile_label

EXPERIMENTS = {"english": "English (GloVe 6B 50d)", "russian": "Russian (navec)"}
BARS = [("probe", "probe", "#1f77b4"), ("ending", "ending only", "#ff7f0e"), ("frequency", "frequency only", "#2ca02c"),
        ("control", "control task", "#7f7f7f"), ("random_vectors", "random vectors", "#bcbd22"),
        ("analogy", "offset analogies", "#9467bd")]


def controls_figure(ctx) -> list[tuple[str, str]]:
    runs = [(name, *ctx.run(name)[:2]) for name in EXPERIMENTS]
    runs = [(name, profile, result) for name, profile, result in runs if result]
    if not runs:
        return []
    widths = [len(result["trials"][0]["features"]) for _, _, result in runs]
    fig, axes = new_figure(1, len(runs), figsize=(4.2 + 0.55 * sum(widths), 3.4), sharey=True,
                           gridspec_kw={"width_ratios": widths}, squeeze=False)
    notes = []
    for ax, (name, profile, result) in zip(axes[0], runs):
        trials = result["trials"]
        features = list(trials[0]["features"])
        step = 0.8 / len(BARS)
        for k, (key, label, colour) in enumerate(BARS):
            means = [np.mean(feature_values(trials, f, key)) if feature_values(trials, f, key) else np.nan
                     for f in features]
            ax.bar(np.arange(len(features)) - 0.4 + (k + 0.5) * step, means, step, label=label, color=colour)
        ax.set_xticks(range(len(features)))
        ax.set_xticklabels([f.replace("_", " ") for f in features], rotation=30, ha="right")
        ax.set_title(EXPERIMENTS[name])
        notes.append(f"{EXPERIMENTS[name]}: {profile_label(profile, result)}")
    axes[0][0].set_ylabel("held-out accuracy")
    axes[0][0].set_ylim(0, 1.02)
    handles, labels = axes[0][0].get_legend_handles_labels()
    # above the panels, where no bar is
    fig.legend(handles, labels, fontsize=7, loc="lower center", ncol=len(BARS), bbox_to_anchor=(0.5, 1.0))
    save(fig, ctx.out_dir / "probes.png")
    return [("probes.png",
             "Linear probes against their controls, per feature: the probe on the word vectors, probes that see "
             "only the word's ending or only its frequency, the Hewitt & Liang control task (a random label per "
             "lemma), the same probe on random vectors, and the vector-offset analogy accuracy on the same feature "
             f"(missing where a feature has no same-lemma pairs). Means over trials; {'; '.join(notes)}.")]


def figures(ctx) -> list[tuple[str, str]]:
    return controls_figure(ctx)


def tam_phi_table(ctx) -> str:
    """The headline per feature, both languages: what the vectors add over the surface cues."""
    header = ["Language", "Feature", "Probe", "Best surface baseline", "Probe − best baseline, 95% interval",
              "Offset analogies", "Trials"]
    rows = []
    for name, language in EXPERIMENTS.items():
        profile, result, _ = ctx.run(name)
        if not result:
            continue
        trials = result["trials"]
        for feature in trials[0]["features"]:
            best = [max(t["features"][feature]["ending"], t["features"][feature]["frequency"]) for t in trials]
            rows.append([language, feature.replace("_", " "), mean_text(feature_values(trials, feature, "probe")),
                         mean_text(best), interval_text(feature_values(trials, feature, "over_baselines")),
                         mean_text(feature_values(trials, feature, "analogy")), profile_label(profile, result)])
    if not rows:
        return "Not run yet.\n"
    return ("Held-out accuracy of linear probes (whole lemmas held out), the better of the word-ending and "
            "frequency baselines, and what the vectors add over it; intervals are 95% t intervals over trials "
            "(each trial a new split, draw of words and control task).\n\n" + markdown_table(header, rows) + "\n")


def snippets(ctx) -> dict[str, str]:
    return {"tam-phi": tam_phi_table(ctx)}
