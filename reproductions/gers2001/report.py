"""Gers & Schmidhuber 2001 figures: the counter inside a trained LSTM, and how far
each trial generalises."""

from __future__ import annotations

import numpy as np
import torch

from ..atomic import write_text_atomic
from ..reporting.figures import best_trial, new_figure, save, trained_networks
from ..reporting.measures import MEASURES
from ..reporting.report import markdown_table
from ..tasks import collate
from ..tasks.formal_languages import language_string


def acceptance_map(ctx, name: str) -> list[tuple[str, str]]:
    """Trials x n: accepted (dark) or not; rows sorted by learning rate, then range."""
    profile = ctx.best_profile(name)
    if profile is None:
        return []
    trials = ctx.results[profile][name]["trials"]
    tested = trials[0]["tested_up_to"]
    if "scanned_to" in trials[0]:  # the scan stopped early: draw what was scanned
        tested = max(15, max(t["scanned_to"] for t in trials))
    rows = sorted(trials, key=lambda t: (t["learning_rate"], t["solved"], t["generalisation"]))
    grid = np.zeros((len(rows), tested))
    for i, t in enumerate(rows):
        if t["solved"]:
            grid[i, : t["generalisation"]] = 1.0
            for n in t["accepted_beyond"]:
                grid[i, n - 1] = 1.0
    # the axis ends a little past the longest accepted string: beyond it every row is empty
    accepted = [n for t in rows if t["solved"] for n in [t["generalisation"], *t["accepted_beyond"]]]
    shown_to = min(tested, max(accepted, default=10) + max(5, max(accepted, default=10) // 10))
    many = len(rows) > 30  # a hundred rows: a compact map, labelled every tenth row
    fig, ax = new_figure(figsize=(6.4, 0.9 + (4.2 + 0.02 * (len(rows) - 30) if many else 0.14 * len(rows))))
    ax.imshow(grid[:, :shown_to], aspect="auto", cmap="Blues", vmin=0, vmax=1.25, interpolation="nearest",
              extent=(0.5, shown_to + 0.5, len(rows) - 0.5, -0.5))
    ax.axvline(10.5, color="#c0392b", lw=1, ls="--")
    rates = sorted({t["learning_rate"] for t in rows})
    if len(rates) > 1:
        for rate in rates[1:]:
            first = next(i for i, t in enumerate(rows) if t["learning_rate"] == rate)
            ax.axhline(first - 0.5, color="black", lw=0.8)
    ticks = range(0, len(rows), 10) if many else range(len(rows))
    ax.set_yticks(list(ticks))
    ax.set_yticklabels([f"{rows[i]['trial']} (lr {rows[i]['learning_rate']:g})" if len(rates) > 1
                        else str(rows[i]["trial"]) for i in ticks], fontsize=8)
    ax.set_xlabel("n (dashed line: largest training n = 10)")
    ax.set_ylabel("trial" + (" (every tenth labelled)" if many else ""))
    ax.grid(False)
    filename = f"{name}-acceptance.png"
    save(fig, ctx.out_dir / filename)
    solved = sum(t["solved"] for t in trials)
    title = ctx.experiments[name]["title"] if name in ctx.experiments else name
    return [(filename, f"{title}: which n each trial accepts (dark = accepted; rows of trials that did not learn "
                       f"the training set are empty). {solved}/{len(trials)} learned; {profile} profile, "
                       f"{len(trials)} trials, tested up to n = {trials[0]['tested_up_to']:,}"
                       + (f" (the axis ends at n = {shown_to}: no trial accepts a longer string)"
                          if shown_to < tested else "")
                       + (", each trial's scan stopping after a run of rejected n" if "scanned_to" in trials[0] else "")
                       + ".")]


def figures(ctx) -> list[tuple[str, str]]:
    write_text_atomic(paper_vs_ours(ctx), ctx.out_dir / "paper-vs-ours.md")
    return anbn_figures(ctx) + extra_figures(ctx)


def anbn_figures(ctx) -> list[tuple[str, str]]:
    made = []
    profile, results, experiment = ctx.run("anbn")
    if profile is None:
        return made
    trials = results["trials"]
    n_label = f"{profile} profile, {len(trials)} trials"

    # which n each trial accepts: the unbroken range from 1, and islands beyond it
    for name in ("anbn", "anbn_lr_sweep"):
        made += acceptance_map(ctx, name)

    train_max = experiment["task"]["params"]["train_n"][1]
    # the counter: cell state and gates of the best trial on a string longer than any training string
    chosen = best_trial(trials)
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



# --- the other languages, the model comparison, where counters break -------------------

LANGUAGES = [("anbn", "$a^n b^n$"), ("anbncn", "$a^n b^n c^n$"), ("anbmBmAn", "$a^n b^m B^m A^n$")]
#: the a^n b^n model comparison: same learning rate, momentum and budget
MODELS = [("anbn_budget", "LSTM, forget gate + peepholes"), ("anbn_no_peepholes", "LSTM without peepholes"),
          ("anbn_no_forget_gate", "1997 LSTM cell (no forget gate, no peepholes)"),
          ("anbn_srn", "Elman SRN"), ("anbn_gru", "GRU")]
#: what the paper reports per (experiment): not verified, the full text was not available to us
NOT_VERIFIED = "*not verified*"


def _results(ctx, name, profile=None):
    """(profile, results, the config they ran with) for the best available profile, or Nones."""
    return ctx.run(name, profile)


def _row(label, profile, trials, extra=""):
    solved = [t for t in trials if t["solved"]]
    beyond = sorted({n for t in solved for n in t["accepted_beyond"]})
    beyond_text = "—" if not beyond else ", ".join(map(str, beyond[:6])) + (" …" if len(beyond) > 6 else "")
    limit = trials[0]["tested_up_to"]
    return [f"{label}{extra}", NOT_VERIFIED, f"{profile}, {len(trials)} trials", MEASURES["percent_solved"](trials)[1],
            MEASURES["median_sequences"](trials)[1], MEASURES["median_generalisation"](trials)[1],
            MEASURES["best_generalisation"](trials)[1], beyond_text, f"{limit:,}"]


HEADER = ["Model", "Paper", "Ours: profile, trials", "Learned", "Strings to learn, median [IQR]",
          "Generalisation, median [IQR]", "Best", "Accepted beyond the range", "Tested up to"]
NOT_RUN = ["not run"] + [""] * (len(HEADER) - 1)


def paper_vs_ours(ctx) -> str:
    """One table per language (and one for the a^n b^n model comparison); every number
    is computed here from the results, with its profile and trial count."""
    parts = []
    for name, label in LANGUAGES:
        rows = []
        names = [name] + (["anbn_lr_sweep", "anbn_budget"] if name == "anbn" else [])
        for experiment_name in names:
            for profile in ctx.profiles:
                _, results, experiment = _results(ctx, experiment_name, profile)
                if results is None:
                    continue
                rates = sorted({t["learning_rate"] for t in results["trials"]})
                for rate in rates:
                    trials = [t for t in results["trials"] if t["learning_rate"] == rate]
                    blocks = experiment["model"]["params"].get("blocks", 1)
                    cap = experiment["train"]["max_sequences"]
                    rows.append(_row(f"LSTM, {blocks} block{'s' if blocks > 1 else ''}", profile, trials,
                                     f" (lr {rate:g}, cap {cap:,}; `{experiment_name}`)"))
        parts += [f"**{label}**", "", markdown_table(HEADER, rows or [NOT_RUN]), ""]
    rows = []
    for name, label in MODELS:
        for profile in ctx.profiles:
            _, results, experiment = _results(ctx, name, profile)
            if results is not None:
                rows.append(_row(label, profile, results["trials"],
                                 f" (`{name}`, cap {experiment['train']['max_sequences']:,})"))
    parts += ["**$a^n b^n$, model comparison at the same budget** (learning rate 0.001, momentum 0.99)", "",
              markdown_table(HEADER, rows or [NOT_RUN]), ""]
    return "\n".join(parts)


def _record(network, task, n, m=None):
    batch = collate([task.encode(n, m)])
    inputs = torch.as_tensor(batch.inputs, dtype=network.dtype)[None]
    with torch.no_grad():
        outputs, states = network.run(inputs, record=True)
    return batch, outputs[0, 0].numpy(), {k: v[0, 0].numpy() for k, v in states.items()}


def inside_figure(ctx, name: str, label: str):
    """Cell states, gates and outputs of the best trial on a long test string."""
    profile, results, experiment = _results(ctx, name)
    if results is None:
        return []
    trials = results["trials"]
    chosen = best_trial(trials)
    network, task = trained_networks(experiment, results, [chosen["trial"]])
    n = int(min(max(chosen["generalisation"], 20), 50))
    m = max(1, (2 * n) // 3) if task.has_m else None
    batch, y, states = _record(network, task, n, m)
    steps = np.arange(len(y))
    symbols = ["S"] + list(language_string(task.language, n, m))
    fig, (top, middle, bottom) = new_figure(3, 1, figsize=(6.8, 6.0), sharex=True)
    for c in range(states["s"].shape[-1]):
        top.plot(steps, states["s"][:, c], label=f"cell state $s_{c + 1}$")
    top.set_ylabel("cell state")
    top.legend(frameon=False, fontsize=7)
    colours = {"y_in": "tab:green", "y_phi": "tab:orange", "y_out": "tab:purple"}
    names = {"y_in": "input gate", "y_phi": "forget gate", "y_out": "output gate"}
    for key in ("y_in", "y_phi", "y_out"):
        if key in states:
            for b in range(states[key].shape[-1]):
                middle.plot(steps, states[key][:, b], color=colours[key], ls=["-", "--", ":"][b % 3], lw=1,
                            label=f"{names[key]}, block {b + 1}")
    middle.set_ylabel("gate activation")
    middle.legend(frameon=False, fontsize=6, ncol=2)
    wrong = ((y > 0.5) != (batch.targets[0] > 0.5)).any(-1)
    for o, symbol in enumerate(task.output_symbols):
        bottom.plot(steps, y[:, o], lw=1, label=f"output {symbol}")
    bottom.axhline(0.5, color="grey", lw=0.6, ls=":")
    for t in np.flatnonzero(wrong):
        bottom.axvspan(t - 0.5, t + 0.5, color="#c0392b", alpha=0.2, lw=0)
    bottom.set_ylabel("output")
    bottom.legend(frameon=False, fontsize=6, ncol=len(task.output_symbols))
    bottom.set_xlabel("step (symbol read)")
    for axis in (top, middle, bottom):
        for t in range(1, len(symbols)):
            if symbols[t] != symbols[t - 1]:
                axis.axvline(t - 0.5, color="grey", lw=0.6, ls="--")
    filename = f"{name}-inside.png"
    save(fig, ctx.out_dir / filename)
    string = f"$a^{{{n}}} b^{{{m}}} B^{{{m}}} A^{{{n}}}$" if m else (
        f"$a^{{{n}}} b^{{{n}}} c^{{{n}}}$" if task.language == "anbncn" else f"$a^{{{n}}} b^{{{n}}}$")
    status = (f"learned after {chosen['sequences']:,} strings, generalisation range n ≤ {chosen['generalisation']}"
              if chosen["solved"] else "no trial learned; an untrained trial is shown")
    verdict = "accepted" if not wrong.any() else f"rejected: {int(wrong.sum())} wrong step(s), shaded"
    return [(filename, f"{label}: cell states, gates and outputs of trial {chosen['trial']} of `{name}` ({status}) "
                       f"on {string}, {verdict}. Dashed lines: where the symbol changes. {profile} profile, "
                       f"{len(trials)} trials.")]


def _curves(ctx, names, key):
    lines = []
    for name, label in names:
        profile, results, experiment = _results(ctx, name)
        if results is None:
            continue
        rates = sorted({t["learning_rate"] for t in results["trials"]})
        for rate in rates:
            trials = [t for t in results["trials"] if t["learning_rate"] == rate]
            suffix = f", lr {rate:g}" if len(rates) > 1 or name == "anbn" else ""
            lines.append((f"{label}{suffix} ({profile}, {len(trials)})", trials, experiment))
    return lines


def comparison_figures(ctx):
    """Generalisation per n and learning curves, for the languages and for the models."""
    groups = [("languages", [("anbn", "$a^n b^n$"), ("anbn_lr_sweep", "$a^n b^n$"), ("anbncn", "$a^n b^n c^n$"),
                             ("anbmBmAn", "$a^n b^m B^m A^n$")]),
              ("models", MODELS)]
    made = []
    fig, axes = new_figure(1, 2, figsize=(9.0, 3.6), sharey=True)
    fig2, axes2 = new_figure(1, 2, figsize=(9.0, 3.6), sharey=True)
    for (title, names), ax, ax2 in zip(groups, axes, axes2):
        for text, trials, experiment in _curves(ctx, names, "generalisation"):
            sizes = np.unique(np.geomspace(1, 10000, 400).astype(int))
            share = [np.mean([t["solved"] and t["generalisation"] >= s for t in trials]) for s in sizes]
            ax.step(sizes, share, where="post", label=text, lw=1.2)
            budget = experiment["train"]["max_sequences"]
            xs = np.unique(np.geomspace(min(500, budget), budget, 300).astype(int))
            learned = [np.mean([t["solved"] and t["sequences"] <= x for t in trials]) for x in xs]
            ax2.step(xs, learned, where="post", label=text, lw=1.2)
        ax.set_xscale("log")
        ax.axvline(10, color="#c0392b", lw=0.8, ls="--")
        ax.set_xlabel("N (dashed: largest training n)")
        ax.set_title(title, fontsize=9)
        ax.legend(frameon=False, fontsize=6)
        ax2.set_xscale("log")
        ax2.set_xlabel("training strings seen")
        ax2.set_title(title, fontsize=9)
        ax2.legend(frameon=False, fontsize=6)
    axes[0].set_ylabel("share of trials accepting every n ≤ N")
    axes2[0].set_ylabel("share of trials that learned")
    save(fig, ctx.out_dir / "generalisation-per-n.png")
    save(fig2, ctx.out_dir / "learning-curves.png")
    made.append(("generalisation-per-n.png",
                 "Generalisation per n: the share of all trials (learned or not) whose generalisation range reaches N, "
                 "tested up to n = 10,000 for the experiments with the scan; legend: profile and trial count."))
    made.append(("learning-curves.png",
                 "Learning curves: the share of trials that have learned the training set after a given number of "
                 "training strings (tested every 1,000 strings), up to each experiment's cap; legend: profile and "
                 "trial count."))
    return made


def failure_figure(ctx):
    """Where and why the furthest-generalising a^n b^n counter breaks."""
    best = None
    for name in ("anbn", "anbn_lr_sweep", "anbn_budget", "anbn_no_peepholes"):
        profile, results, experiment = _results(ctx, name)
        if results is None:
            continue
        for t in results["trials"]:
            if t["solved"] and t["generalisation"] < t["tested_up_to"] and (
                    best is None or t["generalisation"] > best[0]["generalisation"]):
                best = (t, name, profile, results, experiment)
    if best is None:
        return []
    trial, name, profile, results, experiment = best
    network, task = trained_networks(experiment, results, [trial["trial"]])
    good, bad = trial["generalisation"], trial["generalisation"] + 1
    batch, y, states = _record(network, task, bad)
    wrong = np.flatnonzero(((y > 0.5) != (batch.targets[0] > 0.5)).any(-1))
    first = int(wrong[0])
    unit = task.output_symbols[int(np.flatnonzero((y[first] > 0.5) != (batch.targets[0, first] > 0.5))[0])]
    s = states["s"][:, 0]
    fig, (a, b, c) = new_figure(1, 3, figsize=(10.5, 3.4))
    a.plot(np.arange(len(s)), s, lw=1)
    a.axvline(bad + 0.5, color="grey", lw=0.6, ls="--")
    a.plot([first], [s[first]], "o", color="#c0392b", label=f"first wrong output (step {first})")
    a.set_xlabel(f"step in $a^{{{bad}}} b^{{{bad}}}$")
    a.set_ylabel("cell state $s$")
    a.legend(frameon=False, fontsize=7)
    # every n around the failure: the state left at the end of the string and the T output there
    ns = np.arange(1, bad + max(10, bad // 5) + 1)
    batch_all = collate([task.encode(int(n)) for n in ns])
    with torch.no_grad():
        out_all, st_all = network.run(torch.as_tensor(batch_all.inputs, dtype=network.dtype)[None], record=True)
    ends = 2 * ns  # index of the last step (after the n-th b)
    t_unit = task.output_symbols.index("T")
    final_t = out_all[0, np.arange(len(ns)), ends, t_unit].numpy()
    residual = st_all["s"][0, np.arange(len(ns)), ends, 0].numpy()
    ok = task.correct(out_all, torch.as_tensor(batch_all.targets)[None], torch.as_tensor(batch_all.error_mask)[None])[0].numpy()
    b.plot(ns, final_t, lw=1, color="tab:red")
    b.plot(ns[~ok], final_t[~ok], "x", ms=3, color="#c0392b", label="string rejected")
    b.axhline(0.5, color="grey", lw=0.6, ls=":")
    b.set_xlabel("n")
    b.set_ylabel("output T after the last b")
    b.legend(frameon=False, fontsize=7)
    c.plot(ns, residual, lw=1)
    c.axvline(bad, color="#c0392b", lw=0.6, ls="--")
    c.set_xlabel("n (dashed: first rejected n)")
    c.set_ylabel("cell state after the last b")
    save(fig, ctx.out_dir / "anbn-failure.png")
    early = first < 2 * bad
    why = ("predicts the end (T) while b's are still due" if early and unit == "T" else
           "keeps predicting b (or misses T) at the last b" if not early else f"output {unit} is wrong before the end")
    return [("anbn-failure.png",
             f"Where a learned counter breaks: trial {trial['trial']} of `{name}` ({profile} profile), the "
             f"furthest-generalising a^n b^n network whose range ends below the test limit, accepts every n ≤ {good} "
             f"and fails on n = {bad} at step {first} of {2 * bad + 1} (output {unit}: it {why}). Left: its cell "
             f"state on the failing string. Middle: the T output at the last step, for every n around the failure "
             f"(x: rejected strings). Right: the cell state left after the last b; an exact counter would return "
             f"to the same value for every n, so its drift with n is the counting error the readout must absorb.")]


def extra_figures(ctx):
    made = []
    for name, label in LANGUAGES:
        made += inside_figure(ctx, name, label)
    for name in ("anbncn", "anbmBmAn"):
        made += acceptance_map(ctx, name)
    made += comparison_figures(ctx)
    made += failure_figure(ctx)
    return made
