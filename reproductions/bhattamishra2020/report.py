"""Bhattamishra, Ahuja & Goyal 2020 tables, figures and snippets: accuracy per language,
model and length bin, and what the Transformer's self-attention computes on Shuffle-Dyck-2."""

from __future__ import annotations

import numpy as np
import torch

from ..reporting.figures import new_figure, save, trained_networks
from ..reporting.measures import MEASURES
from ..reporting.report import markdown_table, profile_label
from ..tasks import collate

# (language, label, family), in the order the tables and figures show them
LANGUAGES = [
    ("dyck1", "Dyck-1", "counter"), ("shuffle2", "Shuffle-Dyck-2", "counter"),
    ("shuffle4", "Shuffle-Dyck-4", "counter"), ("boolexp3", "BoolExp-3", "counter"),
    ("parity", "Parity", "periodic"), ("aa_star", "(aa)*", "periodic"), ("aaaa_star", "(aaaa)*", "periodic"),
    *[(f"tomita{i}", f"Tomita {i}", "Tomita") for i in range(1, 8)],
    *[(f"d{n}", f"D_{n}", "star-free") for n in (1, 2, 4)],
]
MODELS = [("lstm", "LSTM"), ("transformer", "Transformer, masking only"),
          ("transformer_sinusoidal", "Transformer, sinusoidal"), ("transformer_learned", "Transformer, learned positions")]
COLOURS = {"lstm": "#1f77b4", "transformer": "#d62728", "transformer_sinusoidal": "#ff7f0e",
           "transformer_learned": "#9467bd"}
BINS = 3
NOT_VERIFIED = "not verified"


def _run(ctx, name):
    """(profile, results, config) of the best profile that ran `name`, or Nones."""
    if name not in ctx.experiments:
        return None, None, None
    return ctx.run(name)


def bin_cell(trials, index: int) -> str:
    """Mean accuracy in a bin with the lowest and highest trial (the row names the trial count)."""
    mean = MEASURES[f"bin{index + 1}_accuracy"](trials)[0]
    values = [100 * t["bin_accuracy"][index] for t in trials]
    return f"{mean:.0f}% [{min(values):.0f}–{max(values):.0f}]"


def accuracy_table(ctx) -> str:
    """Language x model: percentage of test strings correct per length bin, beside the paper's."""
    header = ["Language", "Model", "Profile", "Learned (200 training strings)"]
    bins = None
    rows = []
    for language, label, family in LANGUAGES:
        for model, model_label in MODELS:
            profile, results, _ = _run(ctx, f"{language}_{model}")
            if results is None:
                continue
            trials = results["trials"]
            bins = bins or trials[0]["bins"]
            rows.append([f"{label} ({family})", model_label, profile_label(profile, results),
                         MEASURES["percent_solved"](trials)[1],
                         *[bin_cell(trials, i) for i in range(BINS)], NOT_VERIFIED])
    if not rows:
        return "Not yet run.\n"
    header += [f"Lengths {low}–{high}" + (" (training)" if i == 0 else "") for i, (low, high) in enumerate(bins)]
    header += ["Paper"]
    return markdown_table(header, rows) + "\n"


def accuracy_figure(ctx) -> list[tuple[str, str]]:
    """One panel per length bin: each model's mean accuracy per language, and every trial."""
    fig, axes = new_figure(BINS, 1, figsize=(10.0, 7.6), sharex=True)
    notes, shown = set(), False
    bins = None
    width = 0.2
    for m, (model, model_label) in enumerate(MODELS):
        for x, (language, _, _) in enumerate(LANGUAGES):
            profile, results, _ = _run(ctx, f"{language}_{model}")
            if results is None:
                continue
            shown = True
            trials = results["trials"]
            bins = trials[0]["bins"]
            notes.add(f"{profile} profile, {len(trials)} trials")
            for b, ax in enumerate(axes):
                values = [100 * t["bin_accuracy"][b] for t in trials]
                offset = x + (m - 1.5) * width
                ax.bar(offset, np.mean(values), width, color=COLOURS[model],
                       label=model_label if x == 0 or (language == "parity" and model.startswith("transformer_")) else None)
                ax.scatter([offset] * len(values), values, color="black", s=4, zorder=3)
    if not shown:
        return []
    for b, ax in enumerate(axes):
        low, high = bins[b]
        ax.set_ylabel(f"% correct, lengths {low}–{high}" + ("\n(training lengths)" if b == 0 else ""))
        ax.set_ylim(0, 105)
    axes[-1].set_xticks(range(len(LANGUAGES)))
    axes[-1].set_xticklabels([label for _, label, _ in LANGUAGES], rotation=40, ha="right")
    handles, labels = axes[0].get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    axes[0].legend(unique.values(), unique.keys(), frameon=False, fontsize=7, ncol=4, loc="lower left",
                   bbox_to_anchor=(0, 1.0))
    fig.tight_layout()
    save(fig, ctx.out_dir / "accuracy-by-bin.png")
    return [("accuracy-by-bin.png",
             "Percentage of test strings right at every step, per language and model, in the training lengths "
             "(top) and the two longer bins: bars are the mean over trials, dots the trials. The position-code "
             f"variants ran on Dyck-1 and parity only, the LSTM not on the Tomita grammars. {'; '.join(sorted(notes))}.")]


def depth_ratios(word: str, pairs: int) -> np.ndarray:
    """[T, pairs]: after S w_1..w_t, each pair's depth (open minus closed) over t + 1, the
    inputs read so far (the paper's depth-to-length ratio, with S counted)."""
    depths = np.zeros((len(word) + 1, pairs))
    for t, symbol in enumerate(word, start=1):
        depths[t] = depths[t - 1]
        pair = "()[]{}<>".index(symbol) // 2
        depths[t, pair] += 1 if symbol in "([{<" else -1
    return depths / np.arange(1, len(word) + 2)[:, None]


def counter_ratios(word: str, automaton) -> np.ndarray:
    """[T, 1]: BoolExp-n's counter over the inputs read so far (S counted), the paper's
    counter-to-length ratio: the counter starts at 0 and adds an operator's arity minus one
    (a value: -1), so it is the number of operands still missing, minus one."""
    counts = np.zeros(len(word) + 1)
    for t, symbol in enumerate(word, start=1):
        counts[t] = counts[t - 1] + automaton.arity(symbol) - 1
    return (counts / np.arange(1, len(word) + 2))[:, None]


def attention_correlations(network, task, word: str, ratios: np.ndarray) -> tuple[np.ndarray, list[tuple[int, float]]]:
    """The first layer's self-attention output [T, d] on S w, and per column of `ratios` [T, c]
    the coordinate that correlates best (Pearson r) with it."""
    batch = collate([task.encode(word)])
    with torch.no_grad():
        _, records = network.run(torch.as_tensor(batch.inputs, dtype=network.dtype)[None], record=True)
    attended = records["attended0"][0, 0].double().numpy()
    best = []
    for column in range(ratios.shape[1]):
        r = [np.corrcoef(attended[:, j], ratios[:, column])[0, 1] if attended[:, j].std() > 1e-9 else 0.0
             for j in range(attended.shape[1])]
        j = int(np.argmax(np.abs(r)))
        best.append((j, float(r[j])))
    return attended, best


#: (experiment, the signal the paper plots, how each of its columns is named)
MECHANISMS = [
    ("shuffle2_transformer", "depth / length", lambda word, task: depth_ratios(word, 2), ["pair ()", "pair []"]),
    ("boolexp3_transformer", "counter / length", lambda word, task: counter_ratios(word, task.automaton),
     ["BoolExp-3 counter"]),
]


def mechanism_figure(ctx) -> list[tuple[str, str]]:
    """The paper's Fig. 2 on our nets: the self-attention block's output of the best
    Shuffle-Dyck-2 Transformer against each pair's depth-to-length ratio (and of the best
    BoolExp-3 Transformer against its counter-to-length ratio), beside the same network
    before training (its own initial weights)."""
    from ..training.trainer import trial_seeds

    panels, texts, profiles = [], [], []
    for name, signal, ratios_of, columns in MECHANISMS:
        profile, results, experiment = _run(ctx, name)
        if results is None:
            continue
        trials = results["trials"]
        chosen = max(trials, key=lambda t: (t["bin_accuracy"][-1], -t["trial"]))
        network, task = trained_networks(experiment, results, [chosen["trial"]])
        word = task.automaton.sample(np.random.default_rng(2), 100)
        ratios = ratios_of(word, task)
        attended, best = attention_correlations(network, task, word, ratios)
        # the same architecture at its initial weights: how much of the correlation is built in
        network.reset([trial_seeds(experiment["seed"], chosen["trial"])[0]])
        _, untrained = attention_correlations(network, task, word, ratios)
        accuracy = MEASURES["bin3_accuracy"]([chosen])[0]
        title = ctx.experiments[name]["title"].split(":")[0]
        texts.append(f"{title}: trial {chosen['trial']} of {len(trials)} ({accuracy:.0f}% in the longest bin), "
                     + "; ".join(f"{label}: r = {r:.3f} trained, {u[1]:.3f} untrained"
                                 for label, (_, r), u in zip(columns, best, untrained)))
        profiles.append(f"{title}: {profile} profile")
        for column, label in enumerate(columns):
            panels.append((label, signal, ratios[:, column], attended[:, best[column][0]], best[column]))
    if not panels:
        return []
    fig, axes = new_figure(1, len(panels), figsize=(3.6 * len(panels), 3.0))
    axes = np.atleast_1d(axes)
    for ax, (label, signal, ratio, coordinate, (j, r)) in zip(axes, panels):
        steps = np.arange(len(ratio))
        # the coordinate, mapped onto the ratio by least squares, for the eye
        slope, intercept = np.polyfit(ratio, coordinate, 1)
        ax.plot(steps, (coordinate - intercept) / slope, color="#d62728", lw=1.2,
                label="self-attention output (one coordinate, rescaled)")
        ax.plot(steps, ratio, color="black", lw=1.0, ls="--", label=signal)
        ax.set_title(f"{label}: coordinate {j + 1}, Pearson r = {r:.3f}", fontsize=8)
        ax.set_xlabel("step in S w")
        ax.legend(frameon=False, fontsize=6)
    save(fig, ctx.out_dir / "attention-depth-ratio.png")
    return [("attention-depth-ratio.png",
             "What self-attention computes (the paper's Fig. 2, on our nets): the Transformer with the best "
             "accuracy in the longest bin reads one string of 100 symbols; for each bracket pair of Shuffle-Dyck-2 "
             "(and BoolExp-3's counter), the coordinate of its self-attention output that correlates best with the "
             "depth-to-length (counter-to-length) ratio, rescaled onto it. "
             + ". ".join(texts) + " (untrained: the same network at its initial weights, its best coordinate). "
             + "; ".join(profiles) + ". The paper's Fig. 2 caption reports a correlation of 0.99 (quoted by a "
             "summary page; not verified in the paper's own text).")]


def figures(ctx) -> list[tuple[str, str]]:
    return accuracy_figure(ctx) + mechanism_figure(ctx)


def snippets(ctx) -> dict[str, str]:
    intro = ("Each cell is the percentage of a bin's test strings that the network gets right at every step "
             "(the set of legal next symbols, end included), as the mean over the row's trials with the lowest and "
             "highest trial in brackets. Every network and model of a language is tested on the same strings. The paper's "
             "numbers could not be read (see the open question on its tables).\n\n")
    return {"accuracy": intro + accuracy_table(ctx)}
