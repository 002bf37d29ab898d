"""Named aggregates over an experiment's trials, as claims in paper.yaml use them.

Each takes the list of per-trial records and returns (value, text): the number
and how the page shows it. Aggregates are over all trials (success rates) or
over the solved trials (speed, generalisation), never the best seed alone
unless the name says "best".

Each registers itself in `MEASURES` with the quantities of paper.yaml it compares with
(`@measure("success_rate")`); a claim names one by its function name. A paper's own
measures live in its folder (e.g. reproductions/hochreiter1997/measures.py).
"""

from __future__ import annotations

import numpy as np

from ..registry import Registry
from ..tasks.metrics import quartiles

#: every measure by its function name, as a claim's `measure:` names it
MEASURES = Registry("measure")


def measure(*quantities: str, heading: str | None = None):
    """Register a measure under its function name, comparable with these paper quantities
    (`claims[].paper.quantity`); `measures_for` reads them back. `heading` heads its column
    in a results table an experiment declares (`table:` in experiments.yaml); by default
    the function's name in words."""

    def register(function):
        function.quantities = quantities
        function.heading = heading or function.__name__.replace("_", " ").capitalize()
        return MEASURES.register()(function)

    return register


def measures_for(quantity: str) -> list[str]:
    """The measures that compare with a paper quantity, in registration order."""
    return [name for name, function in MEASURES.items() if quantity in function.quantities]


def solved_trials(trials) -> list[dict]:
    return [t for t in trials if t["solved"]]


#: what a measure of success shows for trials trained to a budget with no success test
#: (stopping rule `budget`: their `solved` is null)
NO_TEST = "— (no success test)"


def _untested(trials) -> bool:
    return bool(trials) and all(t["solved"] is None for t in trials)


def solved_text(trials) -> str:
    """The count a mean or median over solved trials rests on, shown beside it everywhere."""
    return f"({len(solved_trials(trials))} of {len(trials)} solved)"


@measure("success_rate")
def percent_solved(trials):
    if _untested(trials):
        return None, NO_TEST
    solved = len(solved_trials(trials))
    value = 100.0 * solved / len(trials)
    return value, f"{value:.0f}% ({solved}/{len(trials)})"


@measure("median_sequences")
def median_sequences(trials):
    solved = solved_trials(trials)
    if _untested(trials):
        return None, NO_TEST
    if not solved:
        return None, "— (none solved)"
    q1, median, q3 = quartiles([t["sequences"] for t in solved])
    return median, f"{median:,.0f} [{q1:,.0f}–{q3:,.0f}] {solved_text(trials)}"


@measure("mean_sequences")
def mean_sequences(trials):
    solved = solved_trials(trials)
    if not solved:
        return None, "— (none solved)"
    value = float(np.mean([t["sequences"] for t in solved]))
    return value, f"{value:,.0f} {solved_text(trials)}"


@measure("sequences_spent")
def mean_sequences_spent(trials):
    """Mean sequences over every trial, an unsolved one counting all it spent (its cap): the
    cost of random guessing, which a trial pays whether or not it finds a solution."""
    if not trials:
        return None, "— (no trials)"
    value = float(np.mean([t["sequences"] for t in trials]))
    return value, f"{value:,.0f} {solved_text(trials)}"


@measure("generalisation")
def best_generalisation(trials):
    solved = solved_trials(trials)
    if not solved:
        return None, "— (none solved)"
    best = max(t["generalisation"] for t in solved)
    return best, f"n ≤ {best}" + (" (test limit)" if best >= solved[0]["tested_up_to"] else "") + f" {solved_text(trials)}"


@measure("generalisation")
def median_generalisation(trials):
    solved = solved_trials(trials)
    if not solved:
        return None, "— (none solved)"
    q1, median, q3 = quartiles([t["generalisation"] for t in solved])
    return median, f"n ≤ {median:.0f} [{q1:.0f}–{q3:.0f}] {solved_text(trials)}"


# --- Bhattamishra, Ahuja & Goyal 2020: accuracy per length bin ------------------------------

def bin_counts(trials, index: int) -> tuple[int, int]:
    """Test strings correct and tested in bin `index` (0: the training lengths), over all trials."""
    return (sum(t["bin_correct"][index] for t in trials), sum(t["bin_size"][index] for t in trials))


def _bin_accuracy(index: int):
    def bin_accuracy(trials):
        values = [100.0 * t["bin_accuracy"][index] for t in trials if "bin_accuracy" in t]
        if not values:
            return None, "— (not tested)"
        low, high = min(values), max(values)
        spread = f" [{low:.1f}–{high:.1f}]" if len(values) > 1 else ""
        return float(np.mean(values)), f"{np.mean(values):.1f}%{spread} ({len(values)} trials)"

    bin_accuracy.__name__ = f"bin{index + 1}_accuracy"
    bin_accuracy.__doc__ = (f"Mean over all trials of the percentage of test strings correct in length bin {index + 1} "
                       "(bin 1: the training lengths); the spread is the lowest and highest trial.")
    #: which bin (0-based) it reads, for the verdict's pooled counts
    bin_accuracy.bin_index = index
    return bin_accuracy


for _index in range(3):
    measure("test_accuracy")(_bin_accuracy(_index))

# --- probing word vectors (reproductions/probing/): one record per trial, a block per feature ---

def _per_feature(trials, key):
    """Every trial's value of `key` for every feature (None left out), as percent."""
    return [100.0 * t["features"][f][key] for t in trials for f in t.get("features", {})
            if t["features"][f].get(key) is not None]


@measure("accuracy")
def mean_analogy_accuracy(trials):
    """Vector-offset analogies answered correctly (Mikolov et al. 2013's test), in percent,
    over every feature with analogy pairs and every trial."""
    values = _per_feature(trials, "analogy")
    if not values:
        return None, "— (no analogy pairs)"
    asked = sum(t["features"][f]["analogy_questions"] for t in trials for f in t["features"])
    return float(np.mean(values)), f"{np.mean(values):.1f}% (mean over features and trials; {asked:,} questions)"


@measure("accuracy")
def mean_probe_accuracy(trials):
    """Held-out accuracy of the linear probes, in percent, over features and trials."""
    values = _per_feature(trials, "probe")
    if not values:
        return None, "— (no probes)"
    return float(np.mean(values)), f"{np.mean(values):.1f}% (mean over features and trials)"
