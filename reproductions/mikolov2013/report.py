"""Mikolov, Yih & Zweig 2013 figures and snippets: probe accuracy against its controls for
every feature and embedding, the corpus-size curve of our own word2vec, a 2-D view of the
past-tense direction, and the numbers behind the open question on TAM and phi features."""

from __future__ import annotations

import numpy as np

from ..reporting.figures import new_figure, save
from ..reporting.probes import feature_values, interval_text, mean_text
from ..reporting.report import markdown_table, profile_label
from ..probing.suite import interval

#: every experiment, as its embedding is named on the page
EXPERIMENTS = {"english": "English (GloVe 6B 50d)", "russian": "Russian (navec)",
               "word2vec_0_3m": "English (our word2vec, 0.3M tokens)",
               "word2vec_1m": "English (our word2vec, 1M tokens)",
               "word2vec_3m": "English (our word2vec, all 2.59M tokens)",
               "lstm_lm": "English (our LSTM language model's input embeddings)"}
#: the corpus-size curve: our word2vec at growing amounts of the same text
CURVE = ["word2vec_0_3m", "word2vec_1m", "word2vec_3m"]
#: the controls figure: one panel per kind of embedding
CONTROLS = ["english", "russian", "word2vec_3m", "lstm_lm"]
BARS = [("probe", "linear probe", "#1f77b4"), ("mlp", "MLP probe", "#17becf"), ("ending", "ending only", "#ff7f0e"),
        ("frequency", "frequency only", "#2ca02c"), ("control", "control task (linear)", "#7f7f7f"),
        ("random_vectors", "random vectors", "#bcbd22"), ("analogy", "offset analogies", "#9467bd")]
#: one colour per English feature, the same in every figure
FEATURE_COLOURS = {"past_present": "#1f77b4", "participle": "#ff7f0e", "noun_number": "#2ca02c",
                   "agreement_3sg": "#d62728"}


def runs(ctx, names: list[str]) -> list[tuple[str, str, dict]]:
    found = [(name, *ctx.run(name)[:2]) for name in names]
    return [(name, profile, result) for name, profile, result in found if result]


def controls_figure(ctx) -> list[tuple[str, str]]:
    shown = runs(ctx, CONTROLS)
    if not shown:
        return []
    fig, axes = new_figure(len(shown), 1, figsize=(8.5, 2.5 * len(shown) + 0.6), sharey=True, squeeze=False)
    notes = []
    for ax, (name, profile, result) in zip(axes[:, 0], shown):
        trials = result["trials"]
        features = list(trials[0]["features"])
        step = 0.8 / len(BARS)
        for k, (key, label, colour) in enumerate(BARS):
            means = [np.mean(values) if (values := feature_values(trials, f, key)) else np.nan for f in features]
            ax.bar(np.arange(len(features)) - 0.4 + (k + 0.5) * step, means, step, label=label, color=colour)
        ax.set_xticks(range(len(features)))
        ax.set_xticklabels([f.replace("_", " ") for f in features])
        ax.set_title(EXPERIMENTS[name], fontsize=9)
        ax.set_ylim(0, 1.02)
        ax.set_ylabel("held-out accuracy")
        notes.append(f"{EXPERIMENTS[name]}: {profile_label(profile, result)}")
    handles, labels = axes[0][0].get_legend_handles_labels()
    # above the panels, where no bar is
    fig.legend(handles, labels, fontsize=7, loc="lower center", ncol=4, bbox_to_anchor=(0.5, 1.0))
    fig.tight_layout()
    save(fig, ctx.out_dir / "probes.png")
    return [("probes.png",
             "Probes against their controls, per feature and embedding: the linear and the MLP probe on the word "
             "vectors, probes that see only the word's ending or only its frequency, the Hewitt & Liang control task "
             "(a random label per lemma) for the linear probe, the linear probe on random vectors, and the "
             "vector-offset analogy accuracy on the same feature (missing where a feature has no same-lemma pairs). "
             f"Means over trials; {'; '.join(notes)}.")]


def curve_figure(ctx) -> list[tuple[str, str]]:
    """The corpus-size curve of our own word2vec: per feature, the linear probe and the
    headline (probe minus the best surface baseline), mean and 95% interval over trials."""
    shown = runs(ctx, CURVE)
    if len(shown) < 2:
        return []
    fig, (left, right) = new_figure(1, 2, figsize=(8.5, 3.3))
    tokens = [result["trials"][0]["training"]["tokens"] for _, _, result in shown]
    features = list(shown[0][2]["trials"][0]["features"])
    for feature in features:
        colour = FEATURE_COLOURS.get(feature)
        for ax, key in ((left, "probe"), (right, "over_baselines")):
            stats = [interval(feature_values(result["trials"], feature, key)) for _, _, result in shown]
            means = [m for m, _, _ in stats]
            errors = [[m - low for m, low, _ in stats], [high - m for m, _, high in stats]]
            ax.errorbar(tokens, means, yerr=errors, marker="o", capsize=3, color=colour,
                        label=feature.replace("_", " "))
        if feature == "past_present":
            transfer = [[t["features"][feature]["transfer"]["probe"] for t in result["trials"]]
                        for _, _, result in shown]
            left.plot(tokens, [np.mean(v) for v in transfer], linestyle="--", marker="^", color=colour,
                      label="past present, trained regular, tested irregular")
    left.set_ylabel("linear probe, held-out accuracy")
    right.set_ylabel("probe − best surface baseline")
    right.axhline(0, color="black", linewidth=0.8)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel("tokens of English text")
        ax.set_xticks(tokens)
        ax.set_xticklabels([f"{t / 1e6:.3g}M" for t in tokens])
        ax.minorticks_off()
    left.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    save(fig, ctx.out_dir / "corpus_curve.png")
    notes = "; ".join(f"{EXPERIMENTS[name]}: {profile_label(profile, result)}" for name, profile, result in shown)
    return [("corpus_curve.png",
             "The corpus-size curve of our skip-gram word2vec (each trial trains its own vectors): left, the linear "
             "probe's accuracy on held-out lemmas per feature, and (dashed) the past-tense probe trained on verbs "
             "whose past ends in -ed and tested on the others; right, what the vectors add over the better of the "
             "ending and frequency baselines (below zero: the spelling alone does better). Error bars are 95% "
             f"intervals over trials; the largest corpus is all the text the sources hold. {notes}.")]


def view_figure(ctx) -> list[tuple[str, str]]:
    """Held-out past and present forms along the past-tense probe's direction (x, its
    decision boundary at 0) and the main direction of what is left (y), trial 0."""
    shown = [(name, profile, result) for name, profile, result in runs(ctx, ["english", "word2vec_3m"])
             if "view" in result["trials"][0]["features"].get("past_present", {})]
    if not shown:
        return []
    fig, axes = new_figure(1, len(shown), figsize=(4.3 * len(shown), 3.6), squeeze=False)
    for ax, (name, profile, result) in zip(axes[0], shown):
        trial = next(t for t in result["trials"] if t["trial"] == 0)
        view = trial["features"]["past_present"]["view"]
        x, y, label = np.array(view["x"]), np.array(view["y"]), np.array(view["label"])
        irregular = np.array([lab == 1 and not w.endswith("ed") for lab, w in zip(label, view["word"])])
        for value, text, colour, marker in ((0, "present (walk, go)", "#1f77b4", "o"),
                                            (1, "past with -ed (walked)", "#ff7f0e", "o")):
            chosen = (label == value) & ~irregular
            ax.scatter(x[chosen], y[chosen], s=10, alpha=0.6, color=colour, marker=marker, label=text)
        ax.scatter(x[irregular], y[irregular], s=28, color="#d62728", marker="^", edgecolor="black",
                   linewidth=0.4, label="past without -ed (went)")
        # a few named on each side of the boundary, where there are some: the misread ones too
        named = [*np.flatnonzero(irregular & (x > 0))[:5], *np.flatnonzero(irregular & (x <= 0))[:3]]
        for i in named:
            ax.annotate(view["word"][i], (x[i], y[i]), fontsize=7, xytext=(3, 2), textcoords="offset points")
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel("along the probe's direction (boundary at 0)")
        ax.set_ylabel("main other direction")
        ax.set_title(EXPERIMENTS[name], fontsize=9)
    axes[0][0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    save(fig, ctx.out_dir / "past_direction.png")
    notes = "; ".join(f"{EXPERIMENTS[name]}: {profile_label(profile, result)}, trial 0" for name, profile, result
                      in shown)
    return [("past_direction.png",
             "One feature direction in two dimensions: held-out present and past forms (lemmas the probe never saw) "
             "placed by the past-tense probe's direction (x; the probe says past right of 0) and by the main "
             "direction of what is left of the vectors (y). Red triangles are past forms without -ed, a few of them "
             f"named, on both sides of the boundary where the probe misreads some. Standardised units. {notes}.")]


def figures(ctx) -> list[tuple[str, str]]:
    return controls_figure(ctx) + curve_figure(ctx) + view_figure(ctx)


def tam_phi_table(ctx) -> str:
    """The headline per feature and embedding: what the vectors add over the surface cues."""
    header = ["Embedding", "Feature", "Linear probe", "MLP probe", "Best surface baseline",
              "Linear − best baseline, 95% interval", "MLP − best baseline, 95% interval", "Offset analogies",
              "Trials"]
    rows = []
    for name, language in EXPERIMENTS.items():
        profile, result, _ = ctx.run(name)
        if not result:
            continue
        trials = result["trials"]
        for feature in trials[0]["features"]:
            best = [max(t["features"][feature]["ending"], t["features"][feature]["frequency"]) for t in trials]
            rows.append([language, feature.replace("_", " "), mean_text(feature_values(trials, feature, "probe")),
                         mean_text(feature_values(trials, feature, "mlp")), mean_text(best),
                         interval_text(feature_values(trials, feature, "over_baselines")),
                         interval_text(feature_values(trials, feature, "mlp_over_baselines")),
                         mean_text(feature_values(trials, feature, "analogy")), profile_label(profile, result)])
    if not rows:
        return "Not run yet.\n"
    return ("Held-out accuracy of linear and MLP probes (whole lemmas held out), the better of the word-ending and "
            "frequency baselines, and what the vectors add over it; intervals are 95% t intervals over trials "
            "(each trial a new split, draw of words and control task, and for our own embeddings new vectors "
            "trained with the trial's seed).\n\n" + markdown_table(header, rows) + "\n")


def accuracy_interval(values: list[float]) -> str:
    """'0.888 [0.800, 0.977]': an accuracy's mean and 95% t interval over trials."""
    mean, low, high = interval(values)
    return f"{mean:.3f} [{low:.3f}, {high:.3f}]" if len(values) > 1 else f"{mean:.3f}"


def own_embeddings_table(ctx) -> str:
    """Our own embeddings by corpus size: per feature the linear probe, what it adds over the
    surface baselines, and the regular-to-irregular transfer of the past tense."""
    header = ["Embedding", "Tokens", "Words with vectors", "Feature", "Linear probe",
              "Linear − best baseline, 95% interval", "Regular → irregular (ending)", "Trials"]
    rows = []
    for name in [*CURVE, "lstm_lm"]:
        profile, result, _ = ctx.run(name)
        if not result:
            continue
        trials = result["trials"]
        training = trials[0]["training"]
        for feature in trials[0]["features"]:
            transfer = [t["features"][feature]["transfer"] for t in trials if "transfer" in t["features"][feature]]
            rows.append([EXPERIMENTS[name].removeprefix("English (").removesuffix(")"), f"{training['tokens']:,}",
                         f"{training['vocabulary']:,}", feature.replace("_", " "),
                         mean_text(feature_values(trials, feature, "probe")),
                         interval_text(feature_values(trials, feature, "over_baselines")),
                         f"{accuracy_interval([r['probe'] for r in transfer])} ({mean_text([r['ending'] for r in transfer])})"
                         if transfer else "—", profile_label(profile, result)])
    if not rows:
        return "Not run yet.\n"
    return ("Probes on the vectors each trial trained itself on the start of the English text (the largest is all "
            "2.59M tokens the sources hold); the transfer column trains on past forms with -ed and tests on the "
            "others, with the ending baseline's accuracy there in brackets; intervals are 95% t intervals over "
            "trials.\n\n" + markdown_table(header, rows) + "\n")


def snippets(ctx) -> dict[str, str]:
    return {"tam-phi": tam_phi_table(ctx), "own-embeddings": own_embeddings_table(ctx)}
