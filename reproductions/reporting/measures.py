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


def percent_solved(trials):
    solved = len(_solved(trials))
    value = 100.0 * solved / len(trials)
    return value, f"{value:.0f}% ({solved}/{len(trials)})"


def median_sequences(trials):
    solved = _solved(trials)
    if not solved:
        return None, "— (none solved)"
    q1, median, q3 = quartiles([t["sequences"] for t in solved])
    return median, f"{median:,.0f} [{q1:,.0f}–{q3:,.0f}]"


def mean_sequences(trials):
    solved = _solved(trials)
    if not solved:
        return None, "— (none solved)"
    value = float(np.mean([t["sequences"] for t in solved]))
    return value, f"{value:,.0f}"


def best_generalisation(trials):
    solved = _solved(trials)
    if not solved:
        return None, "— (none solved)"
    best = max(t["generalisation"] for t in solved)
    return best, f"n ≤ {best}" + (" (test limit)" if best >= solved[0]["tested_up_to"] else "")


def median_generalisation(trials):
    solved = _solved(trials)
    if not solved:
        return None, "— (none solved)"
    q1, median, q3 = quartiles([t["generalisation"] for t in solved])
    return median, f"n ≤ {median:.0f} [{q1:.0f}–{q3:.0f}]"


MEASURES = {f.__name__: f for f in (percent_solved, median_sequences, mean_sequences,
                                    best_generalisation, median_generalisation)}
