"""Weiss, Goldberg & Yahav 2018 figures and snippets: how far each model generalises,
the units that count, and the numbers behind the open question on attention."""

from __future__ import annotations

import numpy as np
import torch

from ..reporting.claims import resolved
from ..reporting.figures import best_trial, new_figure, save, trained_networks
from ..reporting.measures import MEASURES
from ..reporting.report import markdown_table, profile_label
from ..tasks import collate

LANGUAGES = {"anbn": "$a^n b^n$", "anbncn": "$a^n b^n c^n$"}
# (experiment prefix, label), in the order the figures and tables show them
MODELS = [("lstm", "LSTM"), ("lstm_adam", "LSTM (Adam)"), ("gru", "GRU"), ("srn_tanh", "SRN tanh"),
          ("srn_relu", "SRN ReLU"), ("transformer", "Transformer")]
RECURRENT = [("lstm", "LSTM", "s", "cell state"), ("gru", "GRU", "h", "hidden state"),
             ("srn_tanh", "SRN tanh", "h", "hidden state"), ("srn_relu", "SRN ReLU", "h", "hidden state")]


def _results(ctx, name):
    profile, results, _ = ctx.run(name)
    return profile, results


def _experiment(ctx, name, profile, results):
    """The experiment as the shown results ran it (their provenance)."""
    return ctx.run(name, profile)[2]


def generalisation_figure(ctx) -> list[tuple[str, str]]:
    fig, axes = new_figure(1, 2, figsize=(7.6, 3.6), sharey=True)
    notes, quoted = set(), set()
    for ax, (language, label) in zip(axes, LANGUAGES.items()):
        ticks = []
        for x, (prefix, model) in enumerate(MODELS):
            profile, results = _results(ctx, f"{prefix}_{language}")
            if results is None:
                continue
            ticks.append((x, model))
            trials = results["trials"]
            notes.add(f"{profile} profile, {len(trials)} trials per model")
            jitter = np.linspace(-0.2, 0.2, len(trials))
            for dx, t in zip(jitter, trials):
                if t["solved"]:
                    ax.scatter(x + dx, t["generalisation"], color="#1f77b4", s=18, zorder=3)
                else:
                    ax.scatter(x + dx, 0, facecolors="none", edgecolors="#c0392b", s=18, zorder=3)
            tested = trials[0]["tested_up_to"]
            # the paper's number where it gives one (a secondary source's reading): a black bar
            for claim in resolved(ctx.paper):
                number = claim["paper"]
                if claim["experiment"] == f"{prefix}_{language}" and "value" in number \
                        and number["quantity"] == "generalisation":
                    ax.scatter(x, number["value"], marker="_", s=420, color="black", lw=2, zorder=4)
                    sign = {"<": "< ", "<=": "≤ "}.get(number.get("bound"), "")
                    ax.annotate(f"paper: {sign}{number['value']:g}", (x, number["value"]), xytext=(0, 5),
                                textcoords="offset points", ha="center", fontsize=7)
                    quoted.add(number.get("status", "paper"))
        ax.axhline(10, color="grey", lw=0.8, ls="--")
        # most ranges sit between 10 and 60, the paper's reach to 256: linear to 10, log above
        ax.set_yscale("symlog", linthresh=10, linscale=0.6)
        ax.set_ylim(-0.8, 400)
        ax.set_yticks([0, 5, 10, 20, 50, 100, 200])
        ax.set_yticklabels(["0", "5", "10", "20", "50", "100", "200"])
        ax.set_xticks([x for x, _ in ticks])
        ax.set_xticklabels([m for _, m in ticks], rotation=30, ha="right")
        ax.set_title(f"{label} (tested up to n = {tested})")
    axes[0].set_ylabel("generalisation range: all n ≤ N accepted")
    save(fig, ctx.out_dir / "generalisation.png")
    return [("generalisation.png",
             "How far each trained network generalises: one dot per trial, the largest N such that every string "
             "with n ≤ N is accepted (dashed line: the longest training string, n = 10; hollow red circles at 0: "
             "the trial did not learn the training set; the axis is linear up to 10 and logarithmic above). "
             + ("Black bars: the paper's numbers" + (" as a secondary source reads them, not verified"
                                                      if "secondary" in quoted else "") + ". " if quoted else "")
             + f"Ours: {'; '.join(sorted(notes))}.")]


def counter_signals(language: str, n: int) -> list[np.ndarray]:
    """Per step of S w: the counts a counter could hold (#a - #b, and #b - #c)."""
    body = "a" * n + "b" * n + ("c" * n if language == "anbncn" else "")
    symbols = ["S", *body]
    count = {s: np.cumsum([c == s for c in symbols]) for s in "abc"}
    signals = [count["a"] - count["b"]]
    if language == "anbncn":
        signals.append(count["b"] - count["c"])
    return signals


def counting_unit(states: np.ndarray, signals: list[np.ndarray]) -> tuple[int, float]:
    """The unit whose activation follows a count most closely (|Pearson r|)."""
    best = (0, 0.0)
    for unit in range(states.shape[1]):
        for signal in signals:
            if states[:, unit].std() > 1e-12:
                r = abs(np.corrcoef(states[:, unit], signal)[0, 1])
                if r > best[1]:
                    best = (unit, r)
    return best


def counting_figure(ctx) -> list[tuple[str, str]]:
    """Weiss et al.'s "counting dimensions": the activations that count, per model."""
    fig, axes = new_figure(2, 4, figsize=(10.4, 6.0), sharex="row")
    shown, notes = 0, set()
    n = 30
    for row, (language, label) in enumerate(LANGUAGES.items()):
        for col, (prefix, model, key, what) in enumerate(RECURRENT):
            ax = axes[row, col]
            name = f"{prefix}_{language}"
            profile, results = _results(ctx, name)
            if results is None:
                ax.set_visible(False)
                continue
            trials = results["trials"]
            chosen = best_trial(trials)
            network, task = trained_networks(_experiment(ctx, name, profile, results), results, [chosen["trial"]])
            batch = collate([task.encode(n)])
            with torch.no_grad():
                _, records = network.run(torch.as_tensor(batch.inputs, dtype=network.dtype)[None], record=True)
            states = records[key][0, 0].numpy()
            unit, r = counting_unit(states, counter_signals(language, n))
            steps = np.arange(states.shape[0])
            for u in range(states.shape[1]):
                if u != unit:
                    ax.plot(steps, states[:, u], color="grey", lw=0.7, alpha=0.6)
            ax.plot(steps, states[:, unit], color="#1f77b4", lw=1.6, label=f"unit {unit + 1}, |r| = {r:.2f}")
            for boundary in range(1, len(counter_signals(language, n)) + 2):
                ax.axvline(boundary * n + 0.5, color="black", lw=0.5, ls=":")
            state = (f"generalises to n ≤ {chosen['generalisation']}" if chosen["solved"]
                     else "did not learn")
            ax.set_title(f"{model} on {label}\ntrial {chosen['trial']}, {state}", fontsize=8)
            ax.legend(frameon=False, fontsize=7, loc="best")
            if col == 0:
                ax.set_ylabel(what if key == "s" else "activation")
            if row == 1:
                ax.set_xlabel(f"step in S w, n = {n}")
            shown += 1
            notes.add(f"{profile} profile, best of {len(trials)} trials")
    if not shown:
        return []
    fig.tight_layout(h_pad=1.2, w_pad=0.8)
    save(fig, ctx.out_dir / "counting-dimensions.png")
    return [("counting-dimensions.png",
             f"The activations that count: each recurrent network's best trial reads a string with n = {n} "
             "(three times the longest training string; dotted lines: where the letter changes). LSTM panels show "
             "the cell states, the others the hidden units. The unit that follows a count (#a − #b, or #b − #c) "
             "most closely is drawn in blue, with its correlation |r|; the other units in grey. A counter rises "
             "step by step over the a's and falls back over the b's; a saturating unit flattens out instead. "
             f"{'; '.join(sorted(notes))}.")]


def figures(ctx) -> list[tuple[str, str]]:
    return generalisation_figure(ctx) + counting_figure(ctx)


def model_table(ctx, prefixes) -> str:
    """Models x languages: learned, median and best generalisation, with profile and trials."""
    header = ["Model", "Language", "Trained with", "Learned", "Generalisation, median [IQR]", "Best", "Profile"]
    rows = []
    for prefix, model in MODELS:
        if prefix not in prefixes:
            continue
        for language, label in LANGUAGES.items():
            profile, results = _results(ctx, f"{prefix}_{language}")
            if results is None:
                continue
            train = _experiment(ctx, f"{prefix}_{language}", profile, results)["train"]
            how = ("Adam, batches of 16" if train.get("optimizer") == "adam"
                   else f"on-line SGD, momentum {train['momentum']:g}")
            trials = results["trials"]
            rows.append([model, label, how, MEASURES["percent_solved"](trials)[1],
                         MEASURES["median_generalisation"](trials)[1], MEASURES["best_generalisation"](trials)[1],
                         profile_label(profile, results)])
    return markdown_table(header, rows) + "\n"


def snippets(ctx) -> dict[str, str]:
    everything = [prefix for prefix, _ in MODELS]
    trained = ("Every network is trained on $n = 1..10$ and tested on every $n$ up to the test limit; "
               "medians are over the trials that learned the training set.\n\n")
    return {
        "models": trained + model_table(ctx, everything),
        "attention-and-lstm": trained + model_table(ctx, ["lstm", "lstm_adam", "transformer"]),
    }
