"""Named aggregates over an experiment's trials, as claims in paper.yaml use them.

Each takes the list of per-trial records and returns (value, text): the number
and how the page shows it. Aggregates are over all trials (success rates) or
over the solved trials (speed, generalisation), never the best seed alone
unless the name says "best".
"""

from __future__ import annotations

import numpy as np

from ..training.metrics import quartiles


def _solved(trials):
    return [t for t in trials if t["solved"]]


def solved_text(trials) -> str:
    """The count a mean or median over solved trials rests on, shown beside it everywhere."""
    return f"({len(_solved(trials))} of {len(trials)} solved)"


def percent_solved(trials):
    solved = len(_solved(trials))
    value = 100.0 * solved / len(trials)
    return value, f"{value:.0f}% ({solved}/{len(trials)})"


def median_sequences(trials):
    solved = _solved(trials)
    if not solved:
        return None, "— (none solved)"
    q1, median, q3 = quartiles([t["sequences"] for t in solved])
    return median, f"{median:,.0f} [{q1:,.0f}–{q3:,.0f}] {solved_text(trials)}"


def mean_sequences(trials):
    solved = _solved(trials)
    if not solved:
        return None, "— (none solved)"
    value = float(np.mean([t["sequences"] for t in solved]))
    return value, f"{value:,.0f} {solved_text(trials)}"


def mean_sequences_spent(trials):
    """Mean sequences over every trial, an unsolved one counting all it spent (its cap): the
    cost of random guessing, which a trial pays whether or not it finds a solution."""
    if not trials:
        return None, "— (no trials)"
    value = float(np.mean([t["sequences"] for t in trials]))
    return value, f"{value:,.0f} {solved_text(trials)}"


def best_generalisation(trials):
    solved = _solved(trials)
    if not solved:
        return None, "— (none solved)"
    best = max(t["generalisation"] for t in solved)
    return best, f"n ≤ {best}" + (" (test limit)" if best >= solved[0]["tested_up_to"] else "") + f" {solved_text(trials)}"


def median_generalisation(trials):
    solved = _solved(trials)
    if not solved:
        return None, "— (none solved)"
    q1, median, q3 = quartiles([t["generalisation"] for t in solved])
    return median, f"n ≤ {median:.0f} [{q1:.0f}–{q3:.0f}] {solved_text(trials)}"


MEASURES = {f.__name__: f for f in (percent_solved, median_sequences, mean_sequences, mean_sequences_spent,
                                    best_generalisation, median_generalisation)}


# --- Hochreiter & Schmidhuber 1997: post-training tests and guessing -----------------------

def _mean_of(trials, key):
    values = [t[key] for t in _solved(trials) if key in t]
    return float(np.mean(values)) if values else None


def mean_test_wrong(trials):
    """Mean number of held-out test sequences a solved trial gets wrong (of test_size)."""
    value = _mean_of(trials, "test_wrong")
    if value is None:
        return None, "— (none solved)"
    return value, f"{value:,.1f} of {_solved(trials)[0]['test_size']:,} {solved_text(trials)}"


def mean_test_fraction_wrong(trials):
    """Mean fraction of held-out test sequences a solved trial gets wrong."""
    value = _mean_of(trials, "test_fraction_wrong")
    if value is None:
        return None, "— (none solved)"
    return value, f"{value:.6f} {solved_text(trials)}"


def mean_test_abs_error(trials):
    """Mean absolute error at the ends of the held-out test sequences (solved trials); in
    1997 Exp. 3c the mean difference to the noise-free target."""
    value = _mean_of(trials, "test_mean_abs_error")
    if value is None:
        return None, "— (none solved)"
    return value, f"{value:.4f} {solved_text(trials)}"


def mean_test_mse(trials):
    """Mean squared error on the held-out test sequences (solved trials); 1997 Table 8's MSE."""
    value = _mean_of(trials, "test_mse")
    if value is None:
        return None, "— (none solved)"
    return value, f"{value:.4f} {solved_text(trials)}"


def mean_guesses(trials):
    """Mean number of random guesses until a guess passes (solved trials)."""
    value = _mean_of(trials, "guesses")
    if value is None:
        return None, "— (none solved)"
    return value, f"{value:,.0f} {solved_text(trials)}"


MEASURES.update({f.__name__: f for f in (mean_test_wrong, mean_test_fraction_wrong, mean_test_abs_error,
                                                 mean_test_mse, mean_guesses)})


# --- probing word vectors (reproductions/probing/): one record per trial, a block per feature ---

def _per_feature(trials, key):
    """Every trial's value of `key` for every feature (None left out), as percent."""
    return [100.0 * t["features"][f][key] for t in trials for f in t.get("features", {})
            if t["features"][f].get(key) is not None]


def mean_analogy_accuracy(trials):
    """Vector-offset analogies answered correctly (Mikolov et al. 2013's test), in percent,
    over every feature with analogy pairs and every trial."""
    values = _per_feature(trials, "analogy")
    if not values:
        return None, "— (no analogy pairs)"
    asked = sum(t["features"][f]["analogy_questions"] for t in trials for f in t["features"])
    return float(np.mean(values)), f"{np.mean(values):.1f}% (mean over features and trials; {asked:,} questions)"


def mean_probe_accuracy(trials):
    """Held-out accuracy of the linear probes, in percent, over features and trials."""
    values = _per_feature(trials, "probe")
    if not values:
        return None, "— (no probes)"
    return float(np.mean(values)), f"{np.mean(values):.1f}% (mean over features and trials)"


MEASURES.update({f.__name__: f for f in (mean_analogy_accuracy, mean_probe_accuracy)})
